// Tensor data in JSON: a row-major array of numbers (booleans for BOOL, strings for BYTES),
// flat or nested. FP16 is accepted and returned as ordinary numbers; INT64/UINT64 as numbers,
// so only values within ±2^53 survive JSON (use binary for the full range). JSON has no NaN or
// Infinity: numbers out of a float type's range are refused, and such outputs become null.
import { badRequest } from '../errors.ts';
import { NUL_MESSAGE } from './binary.ts';
import {
  allocate,
  halfToNumber,
  numberToHalf,
  type Datatype,
  type TensorData,
} from './datatypes.ts';

const FP16_MAX = 65504;
const FP32_MAX = 3.4028234663852886e38;

export type JsonElement = number | boolean | string;

const INT_RANGE: Partial<Record<Datatype, [number, number]>> = {
  UINT8: [0, 0xff],
  UINT16: [0, 0xffff],
  UINT32: [0, 0xffffffff],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT8: [-0x80, 0x7f],
  INT16: [-0x8000, 0x7fff],
  INT32: [-0x80000000, 0x7fffffff],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Flattens (possibly nested) `data` into `count` elements of `type`. */
export function decodeJson(
  type: Datatype,
  data: unknown,
  count: number,
  maxDepth: number,
  where: string,
): TensorData {
  if (!Array.isArray(data)) throw badRequest(`${where}.data must be an array`);
  const flat = flatten(data, count, maxDepth, where);
  const out = allocate(type, count);
  const range = INT_RANGE[type];
  for (let i = 0; i < count; i++) {
    const v = flat[i];
    const at = `${where}.data element ${i}`;
    if (type === 'BYTES') {
      if (typeof v !== 'string') throw badRequest(`${at} must be a string for BYTES`);
      if (v.includes('\u0000')) throw badRequest(`${at} ${NUL_MESSAGE}`);
      (out as string[])[i] = v;
    } else if (type === 'BOOL') {
      if (typeof v !== 'boolean') throw badRequest(`${at} must be true or false for BOOL`);
      (out as Uint8Array)[i] = v ? 1 : 0;
    } else if (typeof v !== 'number') {
      throw badRequest(`${at} must be a number for ${type}`);
    } else if (range) {
      if (!Number.isInteger(v) || v < range[0] || v > range[1])
        throw badRequest(
          `${at} (${v}) is not an integer in ${type} range [${range[0]}, ${range[1]}]`,
        );
      if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(v);
      else (out as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>)[i] = v;
    } else if (type === 'FP16') {
      if (Math.abs(v) > FP16_MAX)
        throw badRequest(`${at} (${v}) is outside the FP16 range ±${FP16_MAX}`);
      (out as Uint16Array)[i] = numberToHalf(v);
    } else if (type === 'FP32' && Math.abs(v) > FP32_MAX) {
      throw badRequest(`${at} (${v}) is outside the FP32 range ±${FP32_MAX}`);
    } else {
      (out as Float32Array | Float64Array)[i] = v;
    }
  }
  return out;
}

function flatten(data: unknown[], count: number, maxDepth: number, where: string): unknown[] {
  const out: unknown[] = [];
  // Iterative, so a deeply nested body cannot overflow the stack.
  const stack: { items: unknown[]; at: number }[] = [{ items: data, at: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.at === top.items.length) {
      stack.pop();
      continue;
    }
    const v = top.items[top.at++];
    if (Array.isArray(v)) {
      if (stack.length >= maxDepth)
        throw badRequest(`${where}.data is nested deeper than its shape (${maxDepth} levels)`);
      stack.push({ items: v, at: 0 });
    } else {
      if (out.length === count)
        throw badRequest(`${where}.data has more than the ${count} elements its shape needs`);
      out.push(v);
    }
  }
  if (out.length !== count)
    throw badRequest(`${where}.data has ${out.length} elements but its shape needs ${count}`);
  return out;
}

/** The JSON form of a tensor's elements (flat, row-major). */
export function encodeJson(type: Datatype, data: TensorData): JsonElement[] {
  if (Array.isArray(data)) return data;
  if (type === 'BOOL') return Array.from(data as Uint8Array, (v) => v !== 0);
  if (type === 'FP16') return Array.from(data as Uint16Array, halfToNumber);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array)
    return Array.from(data, (v) => Number(v));
  return Array.from(data as Float32Array);
}
