import { expect, test } from 'vitest';
import type { OutputTensor } from './repository.ts';
import { TILES_IN_FLIGHT, needsTiles, runTiled, type TileOutcome } from './tiling.ts';
import type { InferRequest } from './validate.ts';

/** A local model: each output pixel is its input pixel (nearest ×scale), so tiles must match. */
function nearest(data: Float32Array, [n, h, w, c]: number[], scale: number): Float32Array {
  const out = new Float32Array(n * h * scale * w * scale * c);
  for (let r = 0; r < n; r++)
    for (let y = 0; y < h * scale; y++)
      for (let x = 0; x < w * scale; x++)
        for (let k = 0; k < c; k++)
          out[((r * h * scale + y) * w * scale + x) * c + k] =
            data[((r * h + Math.floor(y / scale)) * w + Math.floor(x / scale)) * c + k];
  return out;
}

function image(n: number, h: number, w: number): InferRequest {
  const data = Float32Array.from({ length: n * h * w * 3 }, (_, i) => (i * 7919) % 251);
  return {
    inputs: [{ name: 'input', datatype: 'FP32', shape: [n, h, w, 3], data }],
    outputs: [{ name: 'output', binary: false }],
    batchSize: n,
  };
}

const TILING = { tile: 32, overlap: 4, scale: 3 };

test('tiles stitched together equal the whole image through a local model, row by row', async () => {
  const request = image(2, 70, 45);
  expect(needsTiles(request, TILING)).toBe(true);
  let running = 0;
  let peak = 0;
  let calls = 0;
  const runTile = async (tile: InferRequest): Promise<TileOutcome> => {
    calls++;
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 1));
    running--;
    const x = tile.inputs[0];
    const [, h, w, c] = x.shape;
    const y: OutputTensor = {
      datatype: 'FP32',
      shape: [1, h * 3, w * 3, c],
      data: nearest(x.data as Float32Array, x.shape, 3),
    };
    return { result: new Map([['output', y]]), queueMs: 1, computeMs: 2 };
  };
  const outcome = await runTiled(request, TILING, 'output', runTile);
  const y = outcome.result.get('output')!;
  expect(y.shape).toEqual([2, 210, 135, 3]);
  expect(y.data).toEqual(nearest(request.inputs[0].data as Float32Array, [2, 70, 45, 3], 3));
  expect(calls).toBe(2 * 3 * 2); // 3 rows × 2 columns of tiles, per image
  expect(peak).toBe(TILES_IN_FLIGHT);
  expect(outcome).toMatchObject({ queueMs: calls, computeMs: 2 * calls });
});

test('a tile that fails fails the request, and no tile starts after it', async () => {
  let calls = 0;
  const error = await runTiled(image(1, 100, 100), TILING, 'output', async () => {
    calls++;
    throw new Error('model failed');
  }).catch((e: unknown) => e);
  expect((error as Error).message).toBe('model failed');
  expect(calls).toBe(TILES_IN_FLIGHT);
});

test('an image no larger than a tile is not tiled', () => {
  expect(needsTiles(image(1, 32, 32), TILING)).toBe(false);
  expect(needsTiles(image(1, 33, 8), TILING)).toBe(true);
});
