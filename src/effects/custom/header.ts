import type { NumberParam, ParamSchema } from '../params';

/**
 * The header of a custom effect, in the ISF spirit: a JSON object in the block comment that opens
 * the source, naming the effect and declaring its parameters, from which the app builds the
 * controls and the uniform buffer.
 *
 *   /*{
 *     "name": "Swirl",
 *     "params": {
 *       "amount": { "type": "number", "min": 0, "max": 10, "default": 2, "unit": "turns" },
 *       "tint": { "type": "colour", "default": "#ff8800" },
 *       "mirror": { "type": "bool", "default": false },
 *       "centre": { "type": "point", "default": [0.5, 0.5] }
 *     }
 *   }*\/
 *
 * A "point" becomes two sliders, `centre.x` and `centre.y`, in 0–1 of the frame.
 */
export interface CustomHeader {
  name: string;
  description: string;
  params: ParamSchema;
  /** Each declared parameter's WGSL member and the type it must have in `struct Params`. */
  members: { name: string; type: 'f32' | 'u32' | 'vec2f' | 'vec3f'; params: string[] }[];
}

/** A problem in the author's source: 1-based line and column, in words. */
export interface SourceProblem {
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
}

const HEADER = /^\s*\/\*(\{[\s\S]*?\})\*\//;
const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;
export const MAX_CUSTOM_PARAMS = 16;

/** 1-based line and column of character `index` of `text`. */
export function lineColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The header of `source`, or the problems that stop it being read. */
export function parseHeader(source: string): {
  header: CustomHeader | null;
  problems: SourceProblem[];
} {
  const match = HEADER.exec(source);
  const at = (index: number, message: string): SourceProblem => ({
    ...lineColumn(source, index),
    message,
    severity: 'error',
  });
  if (!match)
    return {
      header: null,
      problems: [at(0, 'The source must open with a header: /*{ "name": "…", "params": {} }*/')],
    };
  const start = match.index + match[0].indexOf('{');
  let raw: unknown;
  try {
    raw = JSON.parse(match[1]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    return {
      header: null,
      problems: [
        at(
          start + (position ? Number(position[1]) : 0),
          `The header is not valid JSON: ${message}`,
        ),
      ],
    };
  }
  const problems: SourceProblem[] = [];
  const bad = (message: string) => problems.push(at(start, message));
  const obj = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const name = typeof obj.name === 'string' && obj.name.trim() ? obj.name.trim().slice(0, 60) : '';
  if (!name) bad('The header needs a "name" (text)');
  const given = obj.params ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    bad('"params" must be an object of parameters by name');
  const params: ParamSchema = {};
  const members: CustomHeader['members'] = [];
  const entries = Object.entries((typeof given === 'object' && given) || {});
  if (entries.length > MAX_CUSTOM_PARAMS)
    bad(`At most ${MAX_CUSTOM_PARAMS} parameters; the rest were left out`);
  for (const [key, value] of entries.slice(0, MAX_CUSTOM_PARAMS)) {
    const p = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    if (!IDENT.test(key) || key === 'frame') {
      bad(`Parameter "${key}": its name must be a WGSL identifier other than "frame"`);
      continue;
    }
    const label = typeof p.label === 'string' && p.label ? p.label : key;
    switch (p.type) {
      case 'number': {
        const [min, max] = [p.min ?? 0, p.max ?? 1];
        if (!isNumber(min) || !isNumber(max) || min >= max) {
          bad(`Parameter "${key}": "min" must be a number below "max"`);
          continue;
        }
        const step = isNumber(p.step) && p.step > 0 ? p.step : (max - min) / 100;
        const def = isNumber(p.default) ? Math.min(max, Math.max(min, p.default)) : min;
        const spec: NumberParam = { kind: 'number', label, min, max, step, default: def };
        if (typeof p.unit === 'string') spec.unit = p.unit;
        params[key] = spec;
        members.push({ name: key, type: 'f32', params: [key] });
        break;
      }
      case 'colour':
      case 'color': {
        const def =
          typeof p.default === 'string' && /^#[0-9a-f]{6}$/i.test(p.default)
            ? p.default
            : '#ffffff';
        params[key] = { kind: 'color', label, default: def.toLowerCase() };
        members.push({ name: key, type: 'vec3f', params: [key] });
        break;
      }
      case 'bool':
        params[key] = { kind: 'bool', label, default: p.default === true };
        members.push({ name: key, type: 'u32', params: [key] });
        break;
      case 'point': {
        const d =
          Array.isArray(p.default) && p.default.length === 2 && p.default.every(isNumber)
            ? p.default
            : [0.5, 0.5];
        const axis = (i: 0 | 1): NumberParam => ({
          kind: 'number',
          label: `${label} ${i === 0 ? 'x' : 'y'}`,
          min: 0,
          max: 1,
          step: 0.01,
          default: Math.min(1, Math.max(0, d[i] as number)),
        });
        params[`${key}.x`] = axis(0);
        params[`${key}.y`] = axis(1);
        members.push({ name: key, type: 'vec2f', params: [`${key}.x`, `${key}.y`] });
        break;
      }
      default:
        bad(`Parameter "${key}": "type" must be "number", "colour", "bool" or "point"`);
    }
  }
  const description =
    typeof obj.description === 'string' ? obj.description : 'A custom WGSL effect';
  return { header: { name: name || 'Untitled effect', description, params, members }, problems };
}
