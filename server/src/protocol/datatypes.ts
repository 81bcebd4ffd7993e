// The Open Inference Protocol (KServe v2 / Triton) datatypes and how each maps onto
// onnxruntime-node tensors. BYTES has no fixed element size: in binary form each element is a
// 4-byte little-endian length followed by that many bytes; onnxruntime holds it as a JS string.
import type { Tensor } from 'onnxruntime-node';

export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

export type Datatype = (typeof DATATYPES)[number];

/** Tensor element storage: typed arrays for numbers, strings for BYTES. */
export type TensorData =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | string[];

interface DatatypeInfo {
  /** Bytes per element in binary form; 0 for BYTES (variable). */
  size: number;
  ort: Tensor.Type;
}

const INFO: Record<Datatype, DatatypeInfo> = {
  BOOL: { size: 1, ort: 'bool' },
  UINT8: { size: 1, ort: 'uint8' },
  UINT16: { size: 2, ort: 'uint16' },
  UINT32: { size: 4, ort: 'uint32' },
  UINT64: { size: 8, ort: 'uint64' },
  INT8: { size: 1, ort: 'int8' },
  INT16: { size: 2, ort: 'int16' },
  INT32: { size: 4, ort: 'int32' },
  INT64: { size: 8, ort: 'int64' },
  // FP16 travels as raw IEEE half bits in a Uint16Array (Node 20 has no Float16Array).
  FP16: { size: 2, ort: 'float16' },
  FP32: { size: 4, ort: 'float32' },
  FP64: { size: 8, ort: 'float64' },
  BYTES: { size: 0, ort: 'string' },
};

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && (DATATYPES as readonly string[]).includes(value);
}

/** Bytes per element in binary form, 0 for BYTES. */
export function elementSize(type: Datatype): number {
  return INFO[type].size;
}

export function ortType(type: Datatype): Tensor.Type {
  return INFO[type].ort;
}

export function datatypeOfOrt(type: Tensor.Type): Datatype | undefined {
  return DATATYPES.find((d) => INFO[d].ort === type);
}

/** A zeroed array of `count` elements of `type`. */
export function allocate(type: Datatype, count: number): TensorData {
  switch (type) {
    case 'BOOL':
    case 'UINT8':
      return new Uint8Array(count);
    case 'UINT16':
    case 'FP16':
      return new Uint16Array(count);
    case 'UINT32':
      return new Uint32Array(count);
    case 'UINT64':
      return new BigUint64Array(count);
    case 'INT8':
      return new Int8Array(count);
    case 'INT16':
      return new Int16Array(count);
    case 'INT32':
      return new Int32Array(count);
    case 'INT64':
      return new BigInt64Array(count);
    case 'FP32':
      return new Float32Array(count);
    case 'FP64':
      return new Float64Array(count);
    case 'BYTES':
      return new Array<string>(count).fill('');
  }
}

/** Number of elements of a shape; NaN when it is not a safe integer. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return Number.isSafeInteger(n) ? n : NaN;
}

// IEEE 754 half precision <-> double, for FP16 in JSON. Round to nearest even.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function numberToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let half = m >> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}
