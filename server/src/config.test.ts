import { expect, test } from 'vitest';
import { parseModelConfig } from './config.ts';

const base = {
  name: 'm',
  platform: 'onnxruntime_onnx',
  max_batch_size: 4,
  input: [{ name: 'x', data_type: 'FP32', dims: [-1, 3] }],
  output: [{ name: 'y', data_type: 'FP32', dims: [-1, 3] }],
};
const parse = (extra: Record<string, unknown>) =>
  parseModelConfig(JSON.stringify({ ...base, ...extra }), 'm');

test('defaults fill model_file, max_queue_size and isolation', () => {
  expect(parse({})).toMatchObject({
    model_file: '1/model.onnx',
    max_queue_size: 64,
    isolation: 'thread',
  });
  expect(parse({ isolation: 'process' }).isolation).toBe('process');
});

test('each bad field is named in the error', () => {
  expect(() => parse({ name: 'other' })).toThrow(/must match its folder name 'm'/);
  expect(() => parse({ platform: 'tensorflow' })).toThrow(/platform/);
  expect(() => parse({ max_batch_size: -1 })).toThrow(/max_batch_size/);
  expect(() => parse({ input: [{ name: 'x', data_type: 'FLOAT', dims: [3] }] })).toThrow(
    /input\[0\]\.data_type "FLOAT"/,
  );
  expect(() => parse({ output: [{ name: 'y', data_type: 'FP32', dims: [0] }] })).toThrow(
    /output\[0\]\.dims/,
  );
  expect(() => parse({ dynamic_batching: { preferred_batch_size: [8] } })).toThrow(
    /preferred_batch_size/,
  );
  expect(() => parse({ max_batch_size: 0, dynamic_batching: {} })).toThrow(
    /needs max_batch_size > 0/,
  );
  expect(() => parseModelConfig('{', 'm')).toThrow(/not valid JSON/);
  expect(() => parse({ isolation: 'vm' })).toThrow(/isolation must be one of thread, process/);
});

test('cost: a budget and an output ratio, each checked', () => {
  expect(
    parse({ cost: { max_input_elements: 786432, output_elements_per_input_element: 16 } }).cost,
  ).toEqual({ max_input_elements: 786432, output_elements_per_input_element: 16 });
  expect(parse({}).cost).toBeUndefined();
  expect(() => parse({ cost: [] })).toThrow('cost must be an object');
  expect(() => parse({ cost: { max_input_elements: 0 } })).toThrow(/max_input_elements/);
  expect(() => parse({ cost: { output_elements_per_input_element: -1 } })).toThrow(/ratio|> 0/);
});

test('tiling: a tile, an overlap and a scale, for one NHWC FP32 image in and out', () => {
  const image = {
    input: [{ name: 'x', data_type: 'FP32', dims: [-1, -1, 3] }],
    output: [{ name: 'y', data_type: 'FP32', dims: [-1, -1, 3] }],
  };
  expect(parse({ ...image, tiling: { tile: 128, overlap: 6, scale: 4 } }).tiling).toEqual({
    tile: 128,
    overlap: 6,
    scale: 4,
  });
  expect(() => parse({ ...image, tiling: { tile: 16, overlap: 8, scale: 2 } })).toThrow(/overlap/);
  expect(() => parse({ ...image, tiling: { tile: 128, overlap: 6, scale: 0 } })).toThrow(/scale/);
  expect(() => parse({ tiling: { tile: 128, overlap: 6, scale: 2 } })).toThrow(/NHWC/); // rank 2
});
