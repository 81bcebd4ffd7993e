// fast-check generators of malformed inference traffic: each case starts from a valid request
// and breaks exactly one thing, so the server must answer it with a 4xx `{error}`.
import fc from 'fast-check';
import { encodeStrings, type RawRequest } from './client.ts';

type Json = Record<string, unknown>;

/** The fuzz repository's models (see fuzz.test.ts). */
export interface Target {
  model: string;
  datatype: 'FP32' | 'UINT8' | 'BYTES';
  /** The shape a valid request uses and the outputs the model has. */
  shape: number[];
  outputs: string[];
  element: () => number | string;
}

export const TARGETS: Target[] = [
  { model: 'vec', datatype: 'FP32', shape: [2, 3], outputs: ['y'], element: () => 0.5 },
  { model: 'bits', datatype: 'UINT8', shape: [2, 4], outputs: ['y'], element: () => 7 },
  { model: 'text', datatype: 'BYTES', shape: [3], outputs: ['y'], element: () => 'é' },
  { model: 'pair', datatype: 'FP32', shape: [5], outputs: ['y', 'z'], element: () => 1 },
];

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function validRequest(t: Target): Json {
  return {
    id: 'fuzz',
    inputs: [
      {
        name: 'x',
        datatype: t.datatype,
        shape: [...t.shape],
        data: Array.from({ length: count(t.shape) }, t.element),
      },
    ],
    outputs: t.outputs.map((name) => ({ name })),
  };
}

const input = (req: Json) => (req.inputs as Json[])[0];
const notIn = (names: string[]) => fc.string({ maxLength: 12 }).filter((s) => !names.includes(s));
const nonBoolean = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);
const nonObject = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.constant(null),
  fc.constant([1]),
  fc.boolean(),
);
const badDim = fc.oneof(
  fc.integer({ min: -5, max: 0 }),
  fc.double({ min: 0.1, max: 9.9, noInteger: true }),
  fc.constant('3'),
  fc.constant(null),
  fc.constant(2 ** 60),
);

/** One broken JSON request: [description, mutate(request, target)]. */
const jsonMutations: fc.Arbitrary<[string, (r: Json, t: Target) => void]>[] = [
  fc.constant(['inputs missing', (r) => void delete r.inputs]),
  nonObject.map((v) => ['inputs not an array', (r) => void (r.inputs = v)]),
  fc.constant(['inputs empty', (r) => void (r.inputs = [])]),
  nonObject.map((v) => ['input not an object', (r) => void (r.inputs = [v])]),
  notIn(['x']).map((n) => ['unknown input name', (r) => void (input(r).name = n)]),
  nonObject
    .filter((v) => typeof v !== 'string')
    .map((v) => ['input name not a string', (r) => void (input(r).name = v)]),
  fc.constant([
    'input given twice',
    (r) => void (r.inputs as Json[]).push(structuredClone(input(r))),
  ]),
  fc
    .constantFrom('FP16', 'INT32', 'INT64', 'BOOL', 'UINT8', 'BYTES', 'FP32', 'fp32', 'FLOAT', '')
    .map((d) => [
      'wrong datatype',
      (r, t) => void (input(r).datatype = d === t.datatype ? d.toLowerCase() : d),
    ]),
  fc.constant(['datatype missing', (r) => void delete input(r).datatype]),
  fc.constant(['shape missing', (r) => void delete input(r).shape]),
  fc
    .integer({ min: 1, max: 3 })
    .map((k) => [
      'shape rank too high',
      (r) => void (input(r).shape as number[]).push(...Array<number>(k).fill(1)),
    ]),
  fc.constant(['shape rank too low', (r) => void (input(r).shape as number[]).pop()]),
  fc.tuple(fc.nat(), badDim).map(([i, d]) => [
    'bad shape element',
    (r) => {
      const s = input(r).shape as unknown[];
      s[i % s.length] = d;
    },
  ]),
  fc.integer({ min: 4, max: 40 }).map((d) => [
    'fixed dim mismatch',
    (r, t) => {
      if (t.model !== 'vec') return void (input(r).shape = [1, 1, 1, 1]);
      input(r).shape = [2, d];
      input(r).data = new Array(2 * d).fill(0);
    },
  ]),
  fc.integer({ min: 5, max: 50 }).map((b) => [
    'batch over max_batch_size',
    (r, t) => {
      if (t.model !== 'vec') return void (input(r).shape = []);
      input(r).shape = [b, 3];
      input(r).data = new Array(b * 3).fill(0);
    },
  ]),
  fc
    .integer({ min: -5, max: 5 })
    .filter((k) => k !== 0)
    .map((k) => [
      'data length mismatch',
      (r, t) => {
        const data = input(r).data as unknown[];
        if (k > 0) data.push(...Array.from({ length: k }, t.element));
        else data.splice(0, Math.min(-k, data.length));
      },
    ]),
  fc.nat().map((i) => [
    'data element of the wrong type',
    (r, t) => {
      const data = input(r).data as unknown[];
      data[i % data.length] =
        t.datatype === 'BYTES' ? 1 : t.datatype === 'UINT8' ? [256, -1, 1.5, 'a'][i % 4] : 'a';
    },
  ]),
  nonObject
    .filter((v) => !Array.isArray(v))
    .map((v) => ['data not an array', (r) => void (input(r).data = v)]),
  fc.constant([
    'data nested deeper than the shape',
    (r) => {
      let d: unknown = input(r).data;
      for (let i = 0; i <= (input(r).shape as number[]).length; i++) d = [d];
      input(r).data = d;
    },
  ]),
  fc.constant(['data missing', (r) => void delete input(r).data]),
  fc.constant([
    'data and binary_data_size both',
    (r) => void (input(r).parameters = { binary_data_size: 12 }),
  ]),
  nonObject
    .filter((v) => typeof v !== 'string')
    .map((v) => ['id not a string', (r) => void (r.id = v)]),
  nonObject.map((v) => ['parameters not an object', (r) => void (r.parameters = v)]),
  nonBoolean.map((v) => [
    'binary_data_output not a boolean',
    (r) => void (r.parameters = { binary_data_output: v }),
  ]),
  nonObject.map((v) => ['input parameters not an object', (r) => void (input(r).parameters = v)]),
  nonObject.map((v) => ['outputs not an array', (r) => void (r.outputs = v)]),
  fc
    .string({ maxLength: 12 })
    .map((n) => [
      'unknown output',
      (r, t) => void (r.outputs = [{ name: t.outputs.includes(n) ? `${n}?` : n }]),
    ]),
  fc.constant([
    'output requested twice',
    (r, t) => void (r.outputs = [{ name: t.outputs[0] }, { name: t.outputs[0] }]),
  ]),
  nonBoolean.map((v) => [
    'output binary_data not a boolean',
    (r, t) => void (r.outputs = [{ name: t.outputs[0], parameters: { binary_data: v } }]),
  ]),
  fc.constant([
    'classification requested',
    (r, t) => void (r.outputs = [{ name: t.outputs[0], parameters: { classification: 2 } }]),
  ]),
];

/** The binary form of a valid request: all inputs binary. */
function binaryParts(t: Target): { header: Json; tensor: Buffer } {
  const r = validRequest(t);
  const x = input(r);
  const data = x.data as (number | string)[];
  const tensor =
    t.datatype === 'BYTES'
      ? encodeStrings(data as string[])
      : t.datatype === 'UINT8'
        ? Buffer.from(data as number[])
        : Buffer.from(new Float32Array(data as number[]).buffer);
  delete x.data;
  x.parameters = { binary_data_size: tensor.length };
  return { header: r, tensor };
}

type BinaryCase = {
  header: Json;
  tensor: Buffer;
  headerLength: (jsonLength: number, total: number) => string | undefined;
};

/** One broken binary request. */
const binaryMutations: fc.Arbitrary<[string, (c: BinaryCase) => void]>[] = [
  fc
    .integer({ min: -8, max: 8 })
    .filter((k) => k !== 0)
    .map((k) => [
      'binary_data_size off',
      (c) => {
        const p = input(c.header).parameters as Json;
        p.binary_data_size = Math.max(0, (p.binary_data_size as number) + k);
        if (p.binary_data_size === c.tensor.length) p.binary_data_size = c.tensor.length + 1;
      },
    ]),
  fc
    .uint8Array({ minLength: 1, maxLength: 9 })
    .map((extra) => ['trailing bytes', (c) => void (c.tensor = Buffer.concat([c.tensor, extra]))]),
  fc
    .nat({ max: 8 })
    .map((cut) => [
      'binary cut short',
      (c) => void (c.tensor = c.tensor.subarray(0, Math.max(0, c.tensor.length - 1 - cut))),
    ]),
  fc
    .integer({ min: 1, max: 1000 })
    .map((k) => [
      'header length past the body',
      (c) => void (c.headerLength = (_, total) => String(total + k)),
    ]),
  fc
    .integer({ min: 1, max: 40 })
    .map((k) => [
      'header length short of the JSON',
      (c) => void (c.headerLength = (n) => String(Math.max(0, n - k))),
    ]),
  fc
    .integer({ min: 1, max: 3 })
    .map((k) => [
      'header length into the tensors',
      (c) => void (c.headerLength = (n, total) => String(Math.min(total, n + k))),
    ]),
  fc
    .constantFrom('-1', 'abc', '1e3', '0x10', '', '12a', '99999999999999999999')
    .map((v) => ['header length not a count', (c) => void (c.headerLength = () => v)]),
  fc.constant(['no header length', (c) => void (c.headerLength = () => undefined)]),
  fc.constant([
    'negative binary_data_size',
    (c) => void ((input(c.header).parameters as Json).binary_data_size = -4),
  ]),
];

/** Where a deeply nested value goes, replacing the marker `DEEP` once serialised. */
const DEEP = '@deep@';
const NEST_PLACES: [string, (r: Json, value: string) => void][] = [
  ['datatype', (r, v) => void (input(r).datatype = v)],
  ['a shape element', (r, v) => void ((input(r).shape as unknown[])[0] = v)],
  ['data', (r, v) => void (input(r).data = [v])],
  ['id', (r, v) => void (r.id = v)],
  ['a request parameter', (r, v) => void (r.parameters = { extra: v })],
  ['an input parameter', (r, v) => void (input(r).parameters = { extra: v })],
  ['an output name', (r, v) => void ((r.outputs as Json[])[0].name = v)],
  ['an unknown field', (r, v) => void (r.extra = v)],
];

const METHOD_ROUTES: [string, string][] = [
  ['/v2', 'GET'],
  ['/v2/health/live', 'GET'],
  ['/v2/health/ready', 'GET'],
  ['/v2/models/vec', 'GET'],
  ['/v2/models/vec/ready', 'GET'],
  ['/v2/models/vec/config', 'GET'],
  ['/v2/models/vec/versions/1', 'GET'],
  ['/v2/models/vec/infer', 'POST'],
  ['/v2/repository/index', 'POST'],
  ['/metrics', 'GET'],
];

const ESCAPES = [
  '..',
  '.',
  '%2e%2e',
  '%2E.',
  '.%2e',
  'a%2Fb',
  '%2f',
  'a%5Cb',
  '%5c',
  '%00',
  'a%0Ab',
  '%zz',
  '%',
  '%e0%a4',
];
const VALID_PATHS = [
  '/v2/models/vec',
  '/v2/models/vec/ready',
  '/v2/models/vec/infer',
  '/v2/models/vec/versions/1/ready',
  '/v2/health/live',
];
const segment = fc.stringMatching(/^[a-z0-9_-]{1,10}$/);

type Case = { label: string; request: RawRequest };
const weight = (n: number, arbitrary: fc.Arbitrary<Case>) => ({ weight: n, arbitrary });

/** A malformed request of any kind, with a label for failure messages. */
export const malformedRequest: fc.Arbitrary<{ label: string; request: RawRequest }> = fc.oneof(
  // Bodies that are not a JSON object at all.
  fc
    .oneof(
      fc.string({ maxLength: 40 }).filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
      fc
        .jsonValue({ maxDepth: 2 })
        .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
        .map((v) => JSON.stringify(v)),
      fc.constant(''),
    )
    .chain((body) =>
      fc.constantFrom(...TARGETS).map((t) => ({
        label: `bad JSON ${JSON.stringify(body)}`,
        request: { method: 'POST', path: `/v2/models/${t.model}/infer`, body },
      })),
    ),
  // A valid JSON request with one thing broken.
  weight(
    4,
    fc
      .tuple(fc.constantFrom(...TARGETS), fc.oneof(...jsonMutations))
      .map(([t, [label, mutate]]) => {
        const r = validRequest(t);
        mutate(r, t);
        return {
          label: `${t.model}: ${label}: ${JSON.stringify(r).slice(0, 300)}`,
          request: { method: 'POST', path: `/v2/models/${t.model}/infer`, body: JSON.stringify(r) },
        };
      }),
  ),
  // A valid request with one value nested deeper than any request needs (the server once
  // recursed over such values: a 10 KB body answered 500).
  fc
    .tuple(
      fc.constantFrom(...TARGETS),
      fc.constantFrom(...NEST_PLACES),
      fc.oneof(fc.integer({ min: 65, max: 200 }), fc.integer({ min: 1_000, max: 60_000 })),
    )
    .map(([t, [place, put], depth]) => {
      const r = validRequest(t);
      put(r, DEEP);
      const body = JSON.stringify(r).replace(`"${DEEP}"`, '['.repeat(depth) + ']'.repeat(depth));
      return {
        label: `${t.model}: ${place} nested ${depth} deep`,
        request: { method: 'POST', path: `/v2/models/${t.model}/infer`, body },
      };
    }),
  // A valid request over the server's element budget (--max-elements 1000 in fuzz.test.ts).
  fc
    .tuple(fc.constantFrom('bits', 'text'), fc.integer({ min: 1001, max: 20_000 }))
    .map(([model, n]) => {
      const t = TARGETS.find((x) => x.model === model)!;
      const r = validRequest(t);
      input(r).shape = model === 'bits' ? [2, Math.ceil(n / 2)] : [n];
      input(r).data = Array.from({ length: count(input(r).shape as number[]) }, t.element);
      return {
        label: `${model}: ${n} elements, over the budget`,
        request: { method: 'POST', path: `/v2/models/${model}/infer`, body: JSON.stringify(r) },
      };
    }),
  // A valid binary request with one thing broken.
  weight(
    3,
    fc
      .tuple(fc.constantFrom(...TARGETS), fc.oneof(...binaryMutations))
      .map(([t, [label, mutate]]) => {
        const c: BinaryCase = { ...binaryParts(t), headerLength: (n) => String(n) };
        mutate(c);
        const head = Buffer.from(JSON.stringify(c.header));
        const body = Buffer.concat([head, c.tensor]);
        const length = c.headerLength(head.length, body.length);
        const headers: Record<string, string> =
          length === undefined ? {} : { 'Inference-Header-Content-Length': length };
        return {
          label: `${t.model} binary: ${label} (header ${length}, body ${body.length})`,
          request: {
            method: 'POST',
            path: `/v2/models/${t.model}/infer`,
            body,
            headers,
          },
        };
      }),
  ),
  // Paths that try to escape, or name nothing.
  fc
    .tuple(fc.constantFrom(...VALID_PATHS), fc.constantFrom(...ESCAPES), fc.nat())
    .map(([path, escape, at]) => {
      const parts = path.split('/');
      parts.splice(2 + (at % (parts.length - 1)), 0, escape);
      return { label: `path escape ${parts.join('/')}`, request: { path: parts.join('/') } };
    }),
  fc
    .tuple(
      segment.filter((s) => !TARGETS.some((t) => t.model === s)),
      fc.constantFrom('', '/ready', '/infer', '/config'),
    )
    .map(([name, tail]) => ({
      label: `unknown model ${name}`,
      request: {
        method: tail === '/infer' ? 'POST' : 'GET',
        path: `/v2/models/${name}${tail}`,
        body: tail === '/infer' ? '{}' : undefined,
      },
    })),
  fc
    .tuple(
      segment.filter((v) => v !== '1'),
      fc.constantFrom('', '/ready'),
    )
    .map(([v, tail]) => ({
      label: `unknown version ${v}`,
      request: { path: `/v2/models/vec/versions/${v}${tail}` },
    })),
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((segs) => ({
    label: `unknown route /v2/x/${segs.join('/')}`,
    request: { path: `/v2/x/${segs.join('/')}` },
  })),
  // Wrong methods.
  fc
    .tuple(
      fc.constantFrom(...METHOD_ROUTES),
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
    )
    .filter(([[, ok], m]) => m !== ok)
    .map(([[path], method]) => ({
      label: `${method} ${path}`,
      request: { method, path, body: method === 'GET' ? undefined : '{}' },
    })),
);
