// Binary framing and JSON round trips per datatype through Identity models, output selection
// and mixed binary/JSON outputs, and models that fail to load without taking the server down.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Datatype } from '../src/protocol/datatypes.ts';
import {
  binaryBody,
  bytesOf,
  decodeResponse,
  decodeStrings,
  encodeStrings,
  json,
  raw,
  type Reply,
} from './client.ts';
import {
  identityConfig,
  identityModel,
  makeRepository,
  pairModel,
  type TempRepository,
} from './models.ts';
import { spawnServer, type SpawnedServer } from './spawn.ts';

let server: SpawnedServer;
let repo: TempRepository;

/** Each identity model batches (max_batch_size 4) over a vector of any length. */
const TYPES: Datatype[] = ['FP32', 'FP16', 'UINT8', 'INT32', 'INT64', 'BOOL', 'BYTES'];
const modelName = (t: Datatype) => `identity_${t.toLowerCase()}`;

beforeAll(async () => {
  const models = Object.fromEntries(
    TYPES.map((t) => [
      modelName(t),
      {
        config: identityConfig(t, [-1], { max_batch_size: 4 }),
        model: identityModel(t, ['n', 'len']),
      },
    ]),
  );
  repo = makeRepository({
    ...models,
    pair: {
      config: {
        max_batch_size: 0,
        input: [{ name: 'x', data_type: 'FP32', dims: [-1] }],
        output: [
          { name: 'y', data_type: 'FP32', dims: [-1] },
          { name: 'z', data_type: 'FP32', dims: [-1] },
        ],
      },
      model: pairModel(['len']),
    },
    wrong_type: { config: identityConfig('INT32', [-1]), model: identityModel('FP32', ['len']) },
    wrong_rank: { config: identityConfig('FP32', [-1, -1]), model: identityModel('FP32', ['len']) },
    fixed_batch: {
      config: identityConfig('FP32', [3], { max_batch_size: 4 }),
      model: identityModel('FP32', [1, 3]),
    },
    no_file: { config: identityConfig('FP32', [-1]) },
    bad_json: { config: { max_batch_size: 'eight' }, model: identityModel('FP32', ['len']) },
  });
  server = await spawnServer(['--repository', repo.dir]);
}, 40_000);
afterAll(async () => {
  await server.stop();
  repo.remove();
});

/** Elements of each type, and their binary form. */
const SAMPLES: Record<Datatype, { json: unknown[]; binary: Buffer }> = {
  FP32: { json: [1.5, -2, 0, 3.25], binary: bytesOf(new Float32Array([1.5, -2, 0, 3.25])) },
  // 1, -2, 0.5, 65504 (the largest half) as IEEE half bits.
  FP16: {
    json: [1, -2, 0.5, 65504],
    binary: bytesOf(new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff])),
  },
  UINT8: { json: [0, 1, 128, 255], binary: Buffer.from([0, 1, 128, 255]) },
  INT32: {
    json: [-2147483648, -1, 0, 2147483647],
    binary: bytesOf(new Int32Array([-2147483648, -1, 0, 2147483647])),
  },
  INT64: {
    json: [-9007199254740991, -1, 0, 9007199254740991],
    binary: bytesOf(new BigInt64Array([-9007199254740991n, -1n, 0n, 9007199254740991n])),
  },
  BOOL: { json: [true, false, false, true], binary: Buffer.from([1, 0, 0, 1]) },
  BYTES: {
    json: ['', 'a', 'héllo', '模型 🙂'],
    binary: encodeStrings(['', 'a', 'héllo', '模型 🙂']),
  },
  UINT16: { json: [], binary: Buffer.alloc(0) },
  UINT32: { json: [], binary: Buffer.alloc(0) },
  UINT64: { json: [], binary: Buffer.alloc(0) },
  INT8: { json: [], binary: Buffer.alloc(0) },
  INT16: { json: [], binary: Buffer.alloc(0) },
  FP64: { json: [], binary: Buffer.alloc(0) },
};

function inferBinary(model: string, header: unknown, tensors: Uint8Array[]): Promise<Reply> {
  const { body, headerLength } = binaryBody(header, tensors);
  return raw(server.url, {
    method: 'POST',
    path: `/v2/models/${model}/infer`,
    headers: {
      'Inference-Header-Content-Length': String(headerLength),
      'Content-Type': 'application/octet-stream',
    },
    body,
  });
}

function inferJson(model: string, body: unknown): Promise<Reply> {
  return raw(server.url, {
    method: 'POST',
    path: `/v2/models/${model}/infer`,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe.each(TYPES)('%s', (type) => {
  const sample = SAMPLES[type];

  test('binary in, binary out: the bytes come back unchanged', async () => {
    const reply = await inferBinary(
      modelName(type),
      {
        inputs: [
          {
            name: 'x',
            datatype: type,
            shape: [2, 2],
            parameters: { binary_data_size: sample.binary.length },
          },
        ],
        outputs: [{ name: 'y', parameters: { binary_data: true } }],
      },
      [sample.binary],
    );
    expect(reply.status, reply.body.toString()).toBe(200);
    const { header, binary } = decodeResponse(reply);
    expect(header.outputs[0]).toEqual({
      name: 'y',
      datatype: type,
      shape: [2, 2],
      parameters: { binary_data_size: sample.binary.length },
    });
    expect(Buffer.compare(binary.get('y') as Buffer, sample.binary)).toBe(0);
  });

  test('JSON in, JSON out: the values come back unchanged', async () => {
    const reply = await inferJson(modelName(type), {
      inputs: [{ name: 'x', datatype: type, shape: [2, 2], data: sample.json }],
    });
    expect(reply.status, reply.body.toString()).toBe(200);
    expect(json(reply).outputs).toEqual([
      { name: 'y', datatype: type, shape: [2, 2], data: sample.json },
    ]);
  });

  test('JSON in, binary out matches the binary form', async () => {
    const reply = await inferJson(modelName(type), {
      parameters: { binary_data_output: true },
      inputs: [{ name: 'x', datatype: type, shape: [1, 4], data: [sample.json] }],
    });
    expect(reply.status).toBe(200);
    expect(Buffer.compare(decodeResponse(reply).binary.get('y') as Buffer, sample.binary)).toBe(0);
  });
});

describe('datatype details', () => {
  test('FP16 from JSON rounds to the nearest half', async () => {
    const reply = await inferJson('identity_fp16', {
      inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 3], data: [0.1, 1e-8, -65504] }],
    });
    expect(json(reply).outputs).toMatchObject([{ data: [0.0999755859375, 0, -65504] }]);
  });

  test('a JSON number outside the FP16 range is refused with 400', async () => {
    const reply = await inferJson('identity_fp16', {
      inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 1], data: [70000] }],
    });
    expect(reply.status).toBe(400);
    expect(json(reply).error).toMatch(/outside the FP16 range/);
  });

  test('BYTES binary elements are length-prefixed, decoded back to the same strings', async () => {
    const values = ['x'.repeat(300), '', 'ok'];
    const reply = await inferBinary(
      'identity_bytes',
      {
        parameters: { binary_data_output: true },
        inputs: [
          {
            name: 'x',
            datatype: 'BYTES',
            shape: [1, 3],
            parameters: { binary_data_size: encodeStrings(values).length },
          },
        ],
      },
      [encodeStrings(values)],
    );
    expect(decodeStrings(decodeResponse(reply).binary.get('y') as Buffer)).toEqual(values);
  });

  test('BYTES holding a NUL are refused with 400: onnxruntime strings would cut them short', async () => {
    const bad = encodeStrings(['a\u0000b']);
    const reply = await inferBinary(
      'identity_bytes',
      {
        inputs: [
          {
            name: 'x',
            datatype: 'BYTES',
            shape: [1, 1],
            parameters: { binary_data_size: bad.length },
          },
        ],
      },
      [bad],
    );
    expect(reply.status).toBe(400);
    expect(json(reply).error).toMatch(/NUL byte/);
  });

  test('BYTES that are not UTF-8 are refused with 400', async () => {
    const bad = Buffer.from([2, 0, 0, 0, 0xff, 0xfe]);
    const reply = await inferBinary(
      'identity_bytes',
      {
        inputs: [
          {
            name: 'x',
            datatype: 'BYTES',
            shape: [1, 1],
            parameters: { binary_data_size: bad.length },
          },
        ],
      },
      [bad],
    );
    expect(reply.status).toBe(400);
    expect(json(reply).error).toMatch(/not valid UTF-8/);
  });
});

describe('outputs', () => {
  const x = { name: 'x', datatype: 'FP32', shape: [3], data: [1, 2, 3] };

  test('without outputs every model output comes back, in model order', async () => {
    const body = json(await inferJson('pair', { inputs: [x] }));
    expect(body.outputs).toEqual([
      { name: 'y', datatype: 'FP32', shape: [3], data: [1, 2, 3] },
      { name: 'z', datatype: 'FP32', shape: [3], data: [-1, -2, -3] },
    ]);
  });

  test('an outputs selection is honoured, in the requested order', async () => {
    const body = json(await inferJson('pair', { inputs: [x], outputs: [{ name: 'z' }] }));
    expect(body.outputs).toEqual([{ name: 'z', datatype: 'FP32', shape: [3], data: [-1, -2, -3] }]);
  });

  test('binary and JSON outputs mix: per-output binary_data overrides binary_data_output', async () => {
    const reply = await inferJson('pair', {
      parameters: { binary_data_output: true },
      inputs: [x],
      outputs: [{ name: 'z' }, { name: 'y', parameters: { binary_data: false } }],
    });
    const { header, binary } = decodeResponse(reply);
    expect(header.outputs).toEqual([
      { name: 'z', datatype: 'FP32', shape: [3], parameters: { binary_data_size: 12 } },
      { name: 'y', datatype: 'FP32', shape: [3], data: [1, 2, 3] },
    ]);
    expect(Buffer.compare(binary.get('z') as Buffer, bytesOf(new Float32Array([-1, -2, -3])))).toBe(
      0,
    );
  });
});

describe('models that fail to load', () => {
  const reasons: Record<string, RegExp> = {
    wrong_type: /input 'x' is INT32 in config but FP32 in the model/,
    wrong_rank: /do not match its rank/,
    fixed_batch: /fixed first dimension 1.*max_batch_size to 0/,
    no_file: /cannot load its model file/,
    bad_json: /max_batch_size must be an integer/,
  };

  test('the server starts anyway and counts only the good models', () => {
    expect(server.readyModels).toBe(TYPES.length + 1);
    expect(server.output()).toMatch(/model 'wrong_type' is not ready/);
  });

  test.each(Object.keys(reasons))('%s is not ready, with its reason', async (name) => {
    const ready = await raw(server.url, { path: `/v2/models/${name}/ready` });
    expect(ready.status).toBe(503);
    expect(json(ready).error).toMatch(reasons[name]);
    const infer = await inferJson(name, {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }],
    });
    expect(infer.status).toBe(503);
    expect(json(infer).error).toMatch(/is not ready/);
  });

  test('the repository index reports the reasons', async () => {
    const index = json<{ name: string; state: string; reason?: string }[]>(
      await raw(server.url, {
        method: 'POST',
        path: '/v2/repository/index',
        body: '{"ready": false}',
      }),
    );
    expect(index.map((m) => m.name).sort()).toEqual(Object.keys(reasons).sort());
    for (const m of index) expect(m.reason).toMatch(reasons[m.name]);
    // No file path reaches a client; the server's own log names the file.
    expect(JSON.stringify(index)).not.toMatch(/model\.onnx|\/tmp\//);
    expect(server.output()).toMatch(/model 'no_file': cannot load \/\S+\/1\/model\.onnx/);
  });

  test("a model's config leaves out the model file's path", async () => {
    const config = json(await raw(server.url, { path: '/v2/models/wrong_type/config' }));
    expect(config).toMatchObject({ name: 'wrong_type' });
    expect(config).not.toHaveProperty('model_file');
  });
});
