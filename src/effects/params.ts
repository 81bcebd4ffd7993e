/** Typed parameter schemas shared by the UI, validation, serialization and both kernels. */

export interface NumberParam {
  kind: 'number';
  label: string;
  min: number;
  max: number;
  step: number;
  default: number;
  unit?: string;
}

export interface BoolParam {
  kind: 'bool';
  label: string;
  default: boolean;
}

/** A reference to a LUT held in the LUT store; the table itself never travels in a chain. */
export interface LutRef {
  id: string;
  name: string;
}

export interface LutParam {
  kind: 'lut';
  label: string;
}

export type ParamSpec = NumberParam | BoolParam | LutParam;
export type ParamSchema = Record<string, ParamSpec>;
export type ParamValue = number | boolean | LutRef | null;
export type ParamValues = Record<string, ParamValue>;

/** The value type each kind of parameter holds, so effect kernels get typed params. */
export type ValueOf<P extends ParamSpec> = P extends NumberParam
  ? number
  : P extends BoolParam
    ? boolean
    : LutRef | null;

export type ParamsOf<S extends ParamSchema> = { [K in keyof S]: ValueOf<S[K]> };

export function defaultValue(spec: ParamSpec): ParamValue {
  return spec.kind === 'lut' ? null : spec.default;
}

export function defaultParams<S extends ParamSchema>(schema: S): ParamsOf<S> {
  const out: ParamValues = {};
  for (const [name, spec] of Object.entries(schema)) out[name] = defaultValue(spec);
  return out as ParamsOf<S>;
}

/** Snaps a number onto the parameter's grid and range. */
export function clampNumber(spec: NumberParam, value: number): number {
  const clamped = Math.min(spec.max, Math.max(spec.min, value));
  const steps = Math.round((clamped - spec.min) / spec.step);
  // Round away binary noise (0.1 + 0.2) so values serialize cleanly.
  const snapped = Number((spec.min + steps * spec.step).toPrecision(12));
  return Math.min(spec.max, Math.max(spec.min, snapped));
}

function isLutRef(value: unknown): value is LutRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LutRef).id === 'string' &&
    typeof (value as LutRef).name === 'string'
  );
}

export interface ParamProblem {
  param: string;
  message: string;
}

/**
 * Validates untrusted values (from a URL, storage or the UI) against a schema. Every parameter
 * comes back with a usable value; what was wrong is reported, never thrown, so a bad link still
 * opens with sensible defaults.
 */
export function validateParams<S extends ParamSchema>(
  schema: S,
  raw: unknown,
): { values: ParamsOf<S>; problems: ParamProblem[] } {
  const input = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const values: ParamValues = {};
  const problems: ParamProblem[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    const value = input[name];
    if (value === undefined) {
      values[name] = defaultValue(spec);
      continue;
    }
    switch (spec.kind) {
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          problems.push({ param: name, message: `${spec.label} must be a number` });
          values[name] = spec.default;
        } else {
          const clamped = clampNumber(spec, value);
          if (value < spec.min || value > spec.max) {
            problems.push({
              param: name,
              message: `${spec.label} ${value} is outside ${spec.min}…${spec.max}; using ${clamped}`,
            });
          }
          values[name] = clamped;
        }
        break;
      case 'bool':
        if (typeof value !== 'boolean') {
          problems.push({ param: name, message: `${spec.label} must be true or false` });
          values[name] = spec.default;
        } else values[name] = value;
        break;
      case 'lut':
        if (value === null || isLutRef(value)) values[name] = value;
        else {
          problems.push({ param: name, message: `${spec.label} is not a LUT reference` });
          values[name] = null;
        }
        break;
    }
  }
  for (const name of Object.keys(input)) {
    if (!(name in schema)) problems.push({ param: name, message: `unknown parameter "${name}"` });
  }
  return { values: values as ParamsOf<S>, problems };
}
