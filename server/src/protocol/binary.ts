// Triton's binary tensor data extension. A request or response body is a JSON header of
// `Inference-Header-Content-Length` bytes followed by the raw tensors back to back, in the order
// of the inputs (or outputs) that carry `parameters.binary_data_size`. Tensors are little-endian,
// row-major, unpadded; BOOL is one byte (0/1); each BYTES element is a uint32 LE length + bytes.
import { badRequest } from '../errors.ts';
import { allocate, elementSize, type Datatype, type TensorData } from './datatypes.ts';

export const HEADER_LENGTH = 'inference-header-content-length';

export interface SplitBody {
  json: Buffer;
  /** The bytes after the JSON header; empty when the request has no binary part. */
  binary: Buffer;
}

/** Splits a body by its Inference-Header-Content-Length (absent: all of it is JSON). */
export function splitBody(body: Buffer, headerLength: string | string[] | undefined): SplitBody {
  if (headerLength === undefined) return { json: body, binary: body.subarray(body.length) };
  if (Array.isArray(headerLength))
    throw badRequest('Inference-Header-Content-Length must be given once');
  if (!/^\d{1,15}$/.test(headerLength.trim()))
    throw badRequest(
      `Inference-Header-Content-Length must be a non-negative integer, got '${headerLength.slice(0, 40)}'`,
    );
  const n = Number(headerLength.trim());
  if (n > body.length)
    throw badRequest(
      `Inference-Header-Content-Length ${n} is larger than the body (${body.length} bytes)`,
    );
  return { json: body.subarray(0, n), binary: body.subarray(n) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** onnxruntime string tensors are C strings: a NUL would silently cut the element short. */
export const NUL_MESSAGE = 'contains a NUL byte, which onnxruntime string tensors cannot hold';

/** Decodes `count` elements of `type` from exactly `bytes`; `where` names the tensor in errors. */
export function decodeBinary(
  type: Datatype,
  bytes: Uint8Array,
  count: number,
  where: string,
): TensorData {
  if (type === 'BYTES') return decodeStrings(bytes, count, where);
  const size = elementSize(type);
  if (bytes.length !== count * size)
    throw badRequest(
      `${where}: binary_data_size is ${bytes.length} bytes but shape needs ${count} × ${size} = ${count * size}`,
    );
  const out = allocate(type, count) as Exclude<TensorData, string[]>;
  // Copy into a fresh, aligned buffer: the body slice may start at any byte offset.
  new Uint8Array(out.buffer).set(bytes);
  if (type === 'BOOL') {
    for (let i = 0; i < count; i++)
      if (bytes[i] > 1) throw badRequest(`${where}: BOOL element ${i} is ${bytes[i]}, not 0 or 1`);
  }
  return out;
}

function decodeStrings(bytes: Uint8Array, count: number, where: string): string[] {
  const out: string[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    if (out.length === count)
      throw badRequest(`${where}: BYTES data has more than the ${count} elements of its shape`);
    if (at + 4 > bytes.length)
      throw badRequest(`${where}: BYTES element ${out.length} has a truncated length prefix`);
    const len = view.getUint32(at, true);
    at += 4;
    if (at + len > bytes.length)
      throw badRequest(
        `${where}: BYTES element ${out.length} claims ${len} bytes but ${bytes.length - at} remain`,
      );
    const element = bytes.subarray(at, at + len);
    if (element.includes(0))
      throw badRequest(`${where}: BYTES element ${out.length} ${NUL_MESSAGE}`);
    try {
      out.push(utf8.decode(element));
    } catch {
      throw badRequest(`${where}: BYTES element ${out.length} is not valid UTF-8`);
    }
    at += len;
  }
  if (out.length !== count)
    throw badRequest(`${where}: BYTES data has ${out.length} elements but shape needs ${count}`);
  return out;
}

/** The binary form of a tensor. */
export function encodeBinary(data: TensorData): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const parts = data.map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.writeUInt32LE(p.length, at);
    p.copy(out, at + 4);
    at += 4 + p.length;
  }
  return out;
}
