import { afterAll, expect, test } from 'vitest';
import { parseModelConfig } from '../config.ts';
import { HttpError } from '../errors.ts';
import { parseInferRequest } from '../validate.ts';
import { INLINE_JSON_BYTES, RequestDecoder } from './decoder.ts';

const config = parseModelConfig(
  JSON.stringify({
    name: 'm',
    platform: 'onnxruntime_onnx',
    max_batch_size: 0,
    input: [{ name: 'x', data_type: 'FP32', dims: [-1] }],
    output: [{ name: 'y', data_type: 'FP32', dims: [-1] }],
  }),
  'm',
);
const decoder = new RequestDecoder();
afterAll(() => decoder.close());

const body = (data: unknown[], shape = [data.length]) =>
  Buffer.from(JSON.stringify({ id: 'a', inputs: [{ name: 'x', datatype: 'FP32', shape, data }] }));

test('a request with a large JSON part is decoded in the worker, to what the HTTP thread would make', async () => {
  const data = Array.from({ length: 60_000 }, (_, i) => i / 7);
  const big = body(data);
  expect(big.length).toBeGreaterThan(INLINE_JSON_BYTES);
  const before = decoder.offloaded;
  const request = await decoder.decode(big, undefined, config);
  expect(decoder.offloaded).toBe(before + 1);
  expect(request).toEqual(parseInferRequest(body(data), undefined, config));
  expect(request.inputs[0].data).toBeInstanceOf(Float32Array);
});

test("the worker's refusals are the same 400s, and small requests stay on the HTTP thread", async () => {
  const data = Array.from({ length: 60_000 }, () => 1);
  data[59_999] = 'x' as unknown as number;
  const error = await decoder.decode(body(data), undefined, config).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).status).toBe(400);
  expect((error as HttpError).message).toMatch(/element 59999 must be a number for FP32/);
  const before = decoder.offloaded;
  expect((await decoder.decode(body([1, 2]), undefined, config)).inputs[0].shape).toEqual([2]);
  expect(decoder.offloaded).toBe(before);
});

test('many large requests at once each get their own answer', async () => {
  const answers = await Promise.all(
    Array.from({ length: 6 }, (_, k) =>
      decoder.decode(body(new Array(40_000).fill(k)), undefined, config),
    ),
  );
  answers.forEach((r, k) => expect((r.inputs[0].data as Float32Array)[123]).toBe(k));
});
