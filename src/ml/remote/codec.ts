/**
 * The Open Inference Protocol v2 request and response bodies, JSON or with Triton's binary tensor
 * data extension (a JSON header of `Inference-Header-Content-Length` bytes, then each binary
 * tensor's raw little-endian bytes in order). Pure: no DOM, no Node.
 */

export type Datatype = 'FP32' | 'FP16' | 'UINT8' | 'INT32' | 'INT64' | 'BOOL' | 'BYTES';

export interface Tensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  /** FP16 travels as raw 16-bit words; BYTES as one Uint8Array per element. */
  data: Float32Array | Uint16Array | Uint8Array | Int32Array | BigInt64Array | Uint8Array[];
}

interface JsonTensor {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown[];
  parameters?: Record<string, unknown>;
}

const ELEMENT_BYTES: Record<Exclude<Datatype, 'BYTES'>, number> = {
  FP32: 4,
  FP16: 2,
  UINT8: 1,
  INT32: 4,
  INT64: 8,
  BOOL: 1,
};

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A tensor's bytes as the binary extension lays them out. */
function tensorBytes(t: Tensor): Uint8Array {
  if (t.datatype === 'BYTES') {
    const items = t.data as Uint8Array[];
    const out = new Uint8Array(items.reduce((n, b) => n + 4 + b.byteLength, 0));
    const view = new DataView(out.buffer);
    let at = 0;
    for (const item of items) {
      view.setUint32(at, item.byteLength, true);
      out.set(item, at + 4);
      at += 4 + item.byteLength;
    }
    return out;
  }
  const data = t.data as ArrayBufferView;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function tensorJsonData(t: Tensor): unknown[] {
  if (t.datatype === 'BYTES')
    return (t.data as Uint8Array[]).map((b) => new TextDecoder().decode(b));
  if (t.datatype === 'INT64') return Array.from(t.data as BigInt64Array, (v) => Number(v));
  if (t.datatype === 'BOOL') return Array.from(t.data as Uint8Array, (v) => v !== 0);
  return Array.from(t.data as ArrayLike<number>);
}

export interface EncodedRequest {
  body: Uint8Array;
  headers: Record<string, string>;
}

/**
 * An infer request body. In binary mode every input travels as binary data and every output is
 * asked for as binary; in JSON mode everything is JSON.
 */
export function encodeRequest(
  inputs: readonly Tensor[],
  options: { id?: string; outputs?: readonly string[]; binary: boolean },
): EncodedRequest {
  const header = {
    ...(options.id ? { id: options.id } : {}),
    inputs: inputs.map((t): JsonTensor => {
      const base = { name: t.name, datatype: t.datatype, shape: t.shape };
      if (!options.binary) return { ...base, data: tensorJsonData(t) };
      return { ...base, parameters: { binary_data_size: tensorBytes(t).byteLength } };
    }),
    ...(options.outputs
      ? {
          outputs: options.outputs.map((name) => ({
            name,
            ...(options.binary ? { parameters: { binary_data: true } } : {}),
          })),
        }
      : {}),
    ...(options.binary ? { parameters: { binary_data_output: true } } : {}),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  if (!options.binary) return { body: json, headers: { 'Content-Type': 'application/json' } };
  const parts = inputs.map(tensorBytes);
  const body = new Uint8Array(json.byteLength + parts.reduce((n, p) => n + p.byteLength, 0));
  body.set(json, 0);
  let at = json.byteLength;
  for (const p of parts) {
    body.set(p, at);
    at += p.byteLength;
  }
  return {
    body,
    headers: {
      'Content-Type': 'application/octet-stream',
      'Inference-Header-Content-Length': String(json.byteLength),
    },
  };
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

function fromBytes(datatype: Datatype, bytes: Uint8Array, count: number): Tensor['data'] {
  if (datatype === 'BYTES') {
    const out: Uint8Array[] = [];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    while (at < bytes.byteLength) {
      if (at + 4 > bytes.byteLength) throw new ProtocolError('a BYTES element is cut short');
      const n = view.getUint32(at, true);
      if (at + 4 + n > bytes.byteLength) throw new ProtocolError('a BYTES element is cut short');
      out.push(bytes.slice(at + 4, at + 4 + n));
      at += 4 + n;
    }
    if (out.length !== count)
      throw new ProtocolError(`expected ${count} BYTES elements, got ${out.length}`);
    return out;
  }
  const size = ELEMENT_BYTES[datatype];
  if (bytes.byteLength !== count * size)
    throw new ProtocolError(
      `expected ${count * size} bytes of ${datatype}, got ${bytes.byteLength}`,
    );
  const copy = bytes.slice().buffer; // aligned
  switch (datatype) {
    case 'FP32':
      return new Float32Array(copy);
    case 'FP16':
      return new Uint16Array(copy);
    case 'INT32':
      return new Int32Array(copy);
    case 'INT64':
      return new BigInt64Array(copy);
    default:
      return new Uint8Array(copy);
  }
}

function fromJson(datatype: Datatype, data: unknown[]): Tensor['data'] {
  const numbers = () => data.map((v) => Number(v));
  switch (datatype) {
    case 'FP32':
      return Float32Array.from(numbers());
    case 'FP16':
      throw new ProtocolError('FP16 outputs must be asked for as binary data');
    case 'INT32':
      return Int32Array.from(numbers());
    case 'INT64':
      return BigInt64Array.from(data.map((v) => BigInt(v as number)));
    case 'BOOL':
    case 'UINT8':
      return Uint8Array.from(data.map((v) => (v === true ? 1 : v === false ? 0 : Number(v))));
    case 'BYTES':
      return data.map((v) => new TextEncoder().encode(String(v)));
  }
}

/** Decodes an infer response body (`headerLength`: the binary extension's JSON length, if any). */
export function decodeResponse(
  body: Uint8Array,
  headerLength: number | null,
): { id?: string; model: string; outputs: Tensor[] } {
  const jsonEnd = headerLength ?? body.byteLength;
  if (jsonEnd > body.byteLength)
    throw new ProtocolError(`the response header claims ${jsonEnd} of ${body.byteLength} bytes`);
  let parsed: { id?: string; model_name?: string; outputs?: JsonTensor[] };
  try {
    parsed = JSON.parse(new TextDecoder().decode(body.subarray(0, jsonEnd)));
  } catch {
    throw new ProtocolError('the response is not valid JSON');
  }
  if (!Array.isArray(parsed.outputs)) throw new ProtocolError('the response has no outputs');
  let at = jsonEnd;
  const outputs = parsed.outputs.map((o): Tensor => {
    const datatype = o.datatype as Datatype;
    const count = elementCount(o.shape);
    const size = o.parameters?.binary_data_size;
    if (typeof size === 'number') {
      if (at + size > body.byteLength)
        throw new ProtocolError(`output ${o.name} is cut short (${size} bytes announced)`);
      const data = fromBytes(datatype, body.subarray(at, at + size), count);
      at += size;
      return { name: o.name, datatype, shape: o.shape, data };
    }
    if (!Array.isArray(o.data)) throw new ProtocolError(`output ${o.name} has no data`);
    return { name: o.name, datatype, shape: o.shape, data: fromJson(datatype, o.data) };
  });
  return { id: parsed.id, model: parsed.model_name ?? '', outputs };
}
