// A small Open Inference Protocol client for the tests: JSON and binary requests, binary
// response decoding, raw HTTP for paths fetch would normalise, and metric scraping.
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  agent?: Agent;
}

/** An HTTP request sent as is (no URL normalisation), through node:http. */
export function raw(base: string, req: RawRequest): Promise<Reply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        host: hostname,
        port,
        method: req.method ?? 'GET',
        path: req.path,
        // Always frame the body: Node sends a DELETE body without Content-Length otherwise.
        headers:
          req.body === undefined
            ? req.headers
            : { 'Content-Length': String(Buffer.byteLength(req.body)), ...req.headers },
        agent: req.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** JSON body of a reply. */
export function json<T = Record<string, unknown>>(reply: Reply): T {
  return JSON.parse(reply.body.toString('utf8')) as T;
}

/** A binary-extension request body: the JSON header, then the tensors in order. */
export function binaryBody(
  header: unknown,
  tensors: Uint8Array[],
): { body: Buffer; headerLength: number } {
  const head = Buffer.from(JSON.stringify(header));
  return { body: Buffer.concat([head, ...tensors]), headerLength: head.length };
}

export interface OutputJson {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown[];
  parameters?: { binary_data_size?: number };
}

export interface InferResponse {
  id?: string;
  model_name: string;
  model_version: string;
  outputs: OutputJson[];
}

/** Splits a response into its JSON header and each binary output's bytes. */
export function decodeResponse(reply: Reply): {
  header: InferResponse;
  binary: Map<string, Buffer>;
} {
  const length = reply.headers['inference-header-content-length'];
  const headerLength = length === undefined ? reply.body.length : Number(length);
  const header = JSON.parse(reply.body.subarray(0, headerLength).toString('utf8')) as InferResponse;
  const binary = new Map<string, Buffer>();
  let at = headerLength;
  for (const o of header.outputs) {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) continue;
    binary.set(o.name, reply.body.subarray(at, at + size));
    at += size;
  }
  if (at !== reply.body.length)
    throw new Error(`response has ${reply.body.length - at} stray bytes`);
  return { header, binary };
}

/** BYTES elements in binary form: uint32 LE length + UTF-8 bytes each. */
export function encodeStrings(values: string[]): Buffer {
  return Buffer.concat(
    values.flatMap((v) => {
      const bytes = Buffer.from(v, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(bytes.length);
      return [len, bytes];
    }),
  );
}

export function decodeStrings(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < bytes.length;) {
    const len = bytes.readUInt32LE(at);
    out.push(bytes.subarray(at + 4, at + 4 + len).toString('utf8'));
    at += 4 + len;
  }
  return out;
}

export const bytesOf = (a: ArrayBufferView): Buffer =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The value of a metric sample (labels matched as a subset), 0 when absent. */
export async function metric(
  base: string,
  name: string,
  labels: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers })).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      (m[2] ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => {
          const [k, v] = kv.split('=');
          return [k, v.replace(/^"|"$/g, '')];
        }),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[3]);
  }
  return total;
}

/**
 * One FP32 tensor in, one output back, both in binary (the Triton extension): `input` and
 * `output` name them.
 */
function inferOneFloat(
  base: string,
  model: string,
  tensor: { input: string; output: string; shape: number[]; data: Float32Array },
  agent?: Agent,
): Promise<Reply> {
  const { body, headerLength } = binaryBody(
    {
      inputs: [
        {
          name: tensor.input,
          datatype: 'FP32',
          shape: tensor.shape,
          parameters: { binary_data_size: tensor.data.byteLength },
        },
      ],
      outputs: [{ name: tensor.output, parameters: { binary_data: true } }],
    },
    [bytesOf(tensor.data)],
  );
  return raw(base, {
    method: 'POST',
    path: `/v2/models/${model}/infer`,
    headers: { 'Inference-Header-Content-Length': String(headerLength) },
    body,
    agent,
  });
}

/** A binary FP32 request of `rows` × `width` (all `fill`) to a model with input x, output y. */
export function inferRows(
  base: string,
  model: string,
  rows: number,
  width: number,
  options: { fill?: number; agent?: Agent } = {},
): Promise<Reply> {
  const data = new Float32Array(rows * width).fill(options.fill ?? 1);
  return inferOneFloat(
    base,
    model,
    { input: 'x', output: 'y', shape: [rows, width], data },
    options.agent,
  );
}

/** An NHWC FP32 image through a super-resolution-like model ('input' → 'output'), in binary. */
export function inferImage(
  base: string,
  model: string,
  pixels: Float32Array,
  shape: [number, number, number, number],
): Promise<Reply> {
  return inferOneFloat(base, model, { input: 'input', output: 'output', shape, data: pixels });
}
