// Request bodies in JSON, parsed with a nesting limit. V8's JSON.parse takes any depth (a 2 MB
// body of brackets takes ~1 s), and what reads the result may recurse (JSON.stringify, a
// message quoting a value): a body nested deeper than any request needs is refused before it is
// parsed, by one pass over its bytes.
import { badRequest } from '../errors.ts';

/** Enough for the request's own levels plus a tensor of rank 50 nested in `data`. */
export const MAX_JSON_DEPTH = 64;

const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of arrays and objects in `json`, or the first depth over `limit`. */
export function jsonDepth(json: Uint8Array, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return deepest;
}

/** Parses a request's JSON (UTF-8): a 400 that says why when it is invalid or nested too deep. */
export function parseJsonBody(json: Uint8Array): unknown {
  if (jsonDepth(json, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    throw badRequest(
      `request JSON is nested more than ${MAX_JSON_DEPTH} levels deep (arrays and objects); the limit is ${MAX_JSON_DEPTH}`,
    );
  try {
    return JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8'));
  } catch (e) {
    throw badRequest(`request JSON is invalid: ${(e as Error).message}`);
  }
}

/** A value quoted in an error message: short, and never walked in depth. */
export function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null || typeof value !== 'object') return String(value);
  return 'an object';
}
