// The protocol against the real repository (server/model-repository): every endpoint, the
// KServe v2 / Triton spec examples adapted to our models, and error shapes.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  binaryBody,
  bytesOf,
  decodeResponse,
  json,
  metric,
  raw,
  type InferResponse,
} from './client.ts';
import { spawnServer, type SpawnedServer } from './spawn.ts';
import { INLINE_JSON_BYTES } from '../src/decode/decoder.ts';

let server: SpawnedServer;
let url: string;

beforeAll(async () => {
  server = await spawnServer([]);
  url = server.url;
}, 40_000);
afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** A 2×2 RGB image as nested rows, values in [0, 1]. */
const IMAGE = [
  [
    [0.1, 0.2, 0.3],
    [0.4, 0.5, 0.6],
  ],
  [
    [0.7, 0.8, 0.9],
    [1.0, 0.0, 0.5],
  ],
];

describe('server endpoints', () => {
  test('the startup line counts the three models as ready', () => {
    expect(server.readyModels).toBe(3);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('GET /v2 answers server metadata listing only the supported extensions', async () => {
    const res = await fetch(`${url}/v2`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      name: 'triad',
      version: '0.1.0',
      extensions: ['binary_tensor_data', 'model_configuration'],
    });
  });

  test('health live and ready answer 200', async () => {
    for (const path of ['/v2/health/live', '/v2/health/ready']) {
      const res = await fetch(url + path);
      expect(res.status, path).toBe(200);
    }
    expect(await (await fetch(`${url}/v2/health/live`)).json()).toEqual({ live: true });
    expect(await (await fetch(`${url}/v2/health/ready`)).json()).toEqual({ ready: true });
  });

  test('model metadata shows a -1 batch dimension for batching models', async () => {
    for (const path of ['/v2/models/esrgan-slim-x2', '/v2/models/esrgan-slim-x2/versions/1']) {
      const res = await fetch(url + path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        name: 'esrgan-slim-x2',
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, -1, -1, 3] }],
        outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, -1, -1, 3] }],
      });
    }
  });

  test('model metadata keeps the full fixed shape for a non-batching model', async () => {
    const meta = await (await fetch(`${url}/v2/models/selfie-segmentation`)).json();
    expect(meta.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [1, 256, 256, 3] }]);
    expect(meta.outputs).toEqual([{ name: 'output', datatype: 'FP32', shape: [1, 256, 256, 1] }]);
  });

  test('model ready answers 200 for each model, with and without a version', async () => {
    for (const name of ['esrgan-slim-x2', 'esrgan-slim-x4', 'selfie-segmentation']) {
      expect((await fetch(`${url}/v2/models/${name}/ready`)).status).toBe(200);
      expect((await fetch(`${url}/v2/models/${name}/versions/1/ready`)).status).toBe(200);
    }
  });

  test('model config returns the parsed config.json', async () => {
    const config = await (await fetch(`${url}/v2/models/esrgan-slim-x4/config`)).json();
    expect(config).toMatchObject({
      name: 'esrgan-slim-x4',
      max_batch_size: 8,
      dynamic_batching: { max_queue_delay_microseconds: 2000, preferred_batch_size: [4, 8] },
      max_queue_size: 64,
    });
  });

  test('the repository index lists every model with its state', async () => {
    const res = await fetch(`${url}/v2/repository/index`, { method: 'POST' });
    expect(await res.json()).toEqual([
      { name: 'esrgan-slim-x2', version: '1', state: 'READY' },
      { name: 'esrgan-slim-x4', version: '1', state: 'READY' },
      { name: 'selfie-segmentation', version: '1', state: 'READY' },
    ]);
  });
});

describe('inference', () => {
  test('the KServe JSON example: nested data, id echoed, outputs named', async () => {
    const res = await post('/v2/models/esrgan-slim-x2/infer', {
      id: '42',
      inputs: [{ name: 'input', shape: [1, 2, 2, 3], datatype: 'FP32', data: [IMAGE] }],
      outputs: [{ name: 'output' }],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('inference-header-content-length')).toBeNull();
    const body = (await res.json()) as InferResponse;
    expect(body).toMatchObject({ id: '42', model_name: 'esrgan-slim-x2', model_version: '1' });
    expect(body.outputs).toHaveLength(1);
    expect(body.outputs[0]).toMatchObject({
      name: 'output',
      datatype: 'FP32',
      shape: [1, 4, 4, 3],
    });
    expect(body.outputs[0].data).toHaveLength(48);
  });

  test('a response without a request id has no id', async () => {
    const res = await post('/v2/models/esrgan-slim-x4/infer', {
      inputs: [{ name: 'input', shape: [1, 2, 2, 3], datatype: 'FP32', data: IMAGE.flat(2) }],
    });
    const body = (await res.json()) as InferResponse;
    expect(body.id).toBeUndefined();
    expect(body.outputs[0].shape).toEqual([1, 8, 8, 3]);
  });

  test('the Triton binary example: binary input, binary output, same numbers as JSON', async () => {
    const pixels = new Float32Array(IMAGE.flat(2));
    const { body, headerLength } = binaryBody(
      {
        id: 'bin',
        inputs: [
          {
            name: 'input',
            shape: [1, 2, 2, 3],
            datatype: 'FP32',
            parameters: { binary_data_size: 48 },
          },
        ],
        outputs: [{ name: 'output', parameters: { binary_data: true } }],
      },
      [bytesOf(pixels)],
    );
    const reply = await raw(url, {
      method: 'POST',
      path: '/v2/models/esrgan-slim-x2/infer',
      headers: {
        'Inference-Header-Content-Length': String(headerLength),
        'Content-Type': 'application/octet-stream',
      },
      body,
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/octet-stream');
    const { header, binary } = decodeResponse(reply);
    expect(header.id).toBe('bin');
    expect(header.outputs[0]).toEqual({
      name: 'output',
      datatype: 'FP32',
      shape: [1, 4, 4, 3],
      parameters: { binary_data_size: 4 * 48 },
    });
    const out = binary.get('output') as Buffer;
    const values = new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.length));

    const viaJson = (await (
      await post('/v2/models/esrgan-slim-x2/infer', {
        inputs: [{ name: 'input', shape: [1, 2, 2, 3], datatype: 'FP32', data: [...pixels] }],
      })
    ).json()) as InferResponse;
    expect([...values]).toEqual(viaJson.outputs[0].data);
  });

  test('a large JSON request (decoded off the HTTP thread) and its JSON answer (encoded in chunks) carry the same numbers as binary, and an id that mimics the encoder is echoed as sent', async () => {
    // ×2 of 150×150: 67 500 numbers in (~1.2 MB of JSON), 270 000 out.
    const pixels = Float32Array.from({ length: 150 * 150 * 3 }, (_, i) => ((i * 37) % 256) / 3);
    const input = { name: 'input', shape: [1, 150, 150, 3], datatype: 'FP32' };
    const { body, headerLength } = binaryBody(
      {
        inputs: [{ ...input, parameters: { binary_data_size: pixels.byteLength } }],
        outputs: [{ name: 'output', parameters: { binary_data: true } }],
      },
      [bytesOf(pixels)],
    );
    const reply = await raw(url, {
      method: 'POST',
      path: '/v2/models/esrgan-slim-x2/infer',
      headers: { 'Inference-Header-Content-Length': String(headerLength) },
      body,
    });
    const out = decodeResponse(reply).binary.get('output') as Buffer;
    const values = new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.length));
    const id = '\u0000data0:x "quoted" ]';
    const request = JSON.stringify({ id, inputs: [{ ...input, data: [...pixels] }] });
    expect(request.length).toBeGreaterThan(INLINE_JSON_BYTES);
    const res = await post('/v2/models/esrgan-slim-x2/infer', JSON.parse(request) as object);
    expect(res.status).toBe(200);
    const viaJson = (await res.json()) as InferResponse;
    expect(viaJson.id).toBe(id);
    expect(viaJson.outputs[0].shape).toEqual([1, 300, 300, 3]);
    expect(viaJson.outputs[0].data).toHaveLength(values.length);
    expect(viaJson.outputs[0].data).toEqual([...values]);
  }, 30_000);

  test('binary_data_output makes every output binary', async () => {
    const res = await post('/v2/models/selfie-segmentation/infer', {
      parameters: { binary_data_output: true },
      inputs: [
        {
          name: 'input',
          shape: [1, 256, 256, 3],
          datatype: 'FP32',
          data: new Array(256 * 256 * 3).fill(0.5),
        },
      ],
    });
    expect(res.status).toBe(200);
    const reply = {
      status: res.status,
      headers: Object.fromEntries(res.headers),
      body: Buffer.from(await res.arrayBuffer()),
    };
    const { header, binary } = decodeResponse(reply);
    expect(header.outputs[0].shape).toEqual([1, 256, 256, 1]);
    const mask = binary.get('output') as Buffer;
    expect(mask.length).toBe(256 * 256 * 4);
    const values = new Float32Array(
      mask.buffer.slice(mask.byteOffset, mask.byteOffset + mask.length),
    );
    expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  test('Server-Timing splits queue and compute time', async () => {
    const res = await post('/v2/models/esrgan-slim-x2/infer', {
      inputs: [{ name: 'input', shape: [1, 2, 2, 3], datatype: 'FP32', data: IMAGE.flat(2) }],
    });
    expect(res.headers.get('server-timing')).toMatch(
      /^queue;dur=\d+(\.\d+)?, compute;dur=\d+(\.\d+)?$/,
    );
  });
});

describe('errors', () => {
  const expectError = async (res: Response, status: number, message?: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await res.json();
    expect(Object.keys(body)).toEqual(['error']);
    if (message) expect(body.error).toMatch(message);
  };

  test('an unknown route is 404', async () => {
    await expectError(await fetch(`${url}/v3`), 404, /no route/);
    await expectError(await fetch(`${url}/v2/models/esrgan-slim-x2/explain`), 404);
  });

  test('an unknown model or version is 404', async () => {
    await expectError(await fetch(`${url}/v2/models/resnet50`), 404, /unknown model 'resnet50'/);
    await expectError(
      await fetch(`${url}/v2/models/esrgan-slim-x2/versions/2`),
      404,
      /no version '2'/,
    );
    await expectError(await post('/v2/models/nope/infer', {}), 404);
  });

  test('a wrong method is 405 with Allow', async () => {
    const res = await fetch(`${url}/v2/models/esrgan-slim-x2/infer`);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
    await expectError(res, 405);
    await expectError(await fetch(`${url}/v2/health/live`, { method: 'DELETE' }), 405);
  });

  test('a shape that does not match the model is 400 naming the field', async () => {
    const res = await post('/v2/models/selfie-segmentation/infer', {
      inputs: [{ name: 'input', shape: [1, 128, 256, 3], datatype: 'FP32', data: [] }],
    });
    await expectError(res, 400, /inputs\[0\]\.shape\[1\] must be 256/);
  });

  test('a wrong datatype, unknown input and data length mismatch are each 400', async () => {
    const infer = (input: Record<string, unknown>) =>
      post('/v2/models/esrgan-slim-x2/infer', {
        inputs: [
          { name: 'input', shape: [1, 1, 1, 3], datatype: 'FP32', data: [0, 0, 0], ...input },
        ],
      });
    await expectError(await infer({ datatype: 'INT32' }), 400, /datatype must be 'FP32'/);
    await expectError(
      await infer({ name: 'image' }),
      400,
      /not an input of model 'esrgan-slim-x2'/,
    );
    await expectError(await infer({ data: [0, 0] }), 400, /has 2 elements but its shape needs 3/);
    await expectError(
      await infer({ shape: [9, 1, 1, 3], data: new Array(27).fill(0) }),
      400,
      /max_batch_size 8/,
    );
  });

  test('a request for an output the model lacks is 400', async () => {
    const res = await post('/v2/models/esrgan-slim-x2/infer', {
      inputs: [{ name: 'input', shape: [1, 1, 1, 3], datatype: 'FP32', data: [0, 0, 0] }],
      outputs: [{ name: 'mask' }],
    });
    await expectError(res, 400, /outputs\[0\]\.name 'mask' is not an output/);
  });

  test('a dot segment or an encoded slash in the path is 400, never resolved', async () => {
    for (const path of [
      '/v2/models/../models/esrgan-slim-x2',
      '/v2/models/%2e%2e/ready',
      '/v2/models/esrgan-slim-x2%2fready',
      '/v2/models/..%5c..%5cetc/ready',
    ]) {
      const reply = await raw(url, { path });
      expect(reply.status, path).toBe(400);
      expect(json(reply).error).toMatch(/not allowed/);
    }
  });
});

describe('defaults', () => {
  test("the app's own origins are allowed by default, others refused", async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:4173']) {
      const res = await fetch(`${url}/v2`, { headers: { Origin: origin } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const res = await fetch(`${url}/v2`, { headers: { Origin: 'http://localhost:8080' } });
    expect(res.status).toBe(403);
  });

  test('no token is needed when none is configured', async () => {
    expect((await fetch(`${url}/v2/models/esrgan-slim-x2`)).status).toBe(200);
  });
});

describe('metrics', () => {
  test('/metrics exposes the inference metrics in Prometheus text', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const name of [
      'triad_inference_requests_total',
      'triad_request_duration_seconds',
      'triad_queue_duration_seconds',
      'triad_compute_duration_seconds',
      'triad_batch_size',
      'triad_queue_depth',
      'triad_model_ready',
    ])
      expect(text, name).toContain(`# TYPE ${name} `);
    expect(await metric(url, 'triad_model_ready', { model: 'selfie-segmentation' })).toBe(1);
    expect(
      await metric(url, 'triad_inference_requests_total', {
        model: 'esrgan-slim-x2',
        outcome: 'success',
      }),
    ).toBeGreaterThan(0);
    expect(
      await metric(url, 'triad_inference_requests_total', { outcome: 'invalid' }),
    ).toBeGreaterThan(0);
  });
});
