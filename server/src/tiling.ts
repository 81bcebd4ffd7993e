// Large images through image-to-image models, a tile at a time (the app's seam rule:
// src/ml/tiling.ts). Each tile is its own request in the model's queue, at most TILES_IN_FLIGHT of
// one image at a time, so:
// - memory: onnxruntime's arena grows to one tile's working set, not the image's (a ×4 on
//   512×512 in one run took the server from 0.2 to 1.8 GB, and the arena keeps it);
// - fairness: a small request waits behind two tiles, not behind the whole image;
// - cancellation: a request that times out or whose client hangs up stops after the tiles
//   already running (onnxruntime cannot stop a run).
import { planTiles, type Tile } from '../../src/ml/tiling.ts';
import type { TilingConfig } from './config.ts';
import { HttpError } from './errors.ts';
import type { OutputTensor, Outputs } from './repository.ts';
import type { InferRequest } from './validate.ts';

export const TILES_IN_FLIGHT = 2;

/** Whether the request's image is larger than one tile (only then is it tiled). */
export function needsTiles(request: InferRequest, tiling: TilingConfig): boolean {
  const [, height, width] = request.inputs[0].shape;
  return height > tiling.tile || width > tiling.tile;
}

export interface TileOutcome {
  result: Outputs;
  queueMs: number;
  computeMs: number;
}

/**
 * Runs `request` (one NHWC FP32 image input, one NHWC output `scale` times larger) tile by tile
 * through `runTile`, and stitches the tiles' cores into the whole output. Queue and compute
 * times are the tiles' sums.
 */
export async function runTiled(
  request: InferRequest,
  tiling: TilingConfig,
  outputName: string,
  runTile: (tile: InferRequest) => Promise<TileOutcome>,
): Promise<TileOutcome> {
  const input = request.inputs[0];
  const [rows, height, width, channels] = input.shape;
  const { scale } = tiling;
  const tiles = planTiles(width, height, tiling.tile, tiling.overlap);
  const out = new Float32Array(rows * height * scale * width * scale * channels);
  const jobs = Array.from({ length: rows }, (_, row) =>
    tiles.map((tile) => ({ row, tile })),
  ).flat();
  let queueMs = 0;
  let computeMs = 0;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { row, tile } = jobs[next++];
      const data = crop(input.data as Float32Array, row, tile, width, height, channels);
      const outcome = await runTile({
        inputs: [{ ...input, shape: [1, tile.height, tile.width, channels], data }],
        outputs: [{ name: outputName, binary: true }],
        batchSize: 1,
      });
      queueMs += outcome.queueMs;
      computeMs += outcome.computeMs;
      const y = outcome.result.get(outputName)!;
      const expected = [1, tile.height * scale, tile.width * scale, channels];
      if (y.shape.join() !== expected.join())
        throw new HttpError(
          500,
          `a ${tile.width}×${tile.height} tile came back as [${y.shape}], not [${expected}] (is the model's tiling.scale right?)`,
        );
      paste(out, y.data as Float32Array, row, tile, width * scale, height * scale, channels, scale);
    }
  };
  // A failed tile fails the request; the other lane stops at its next tile.
  let failed: unknown = null;
  await Promise.all(
    Array.from({ length: Math.min(TILES_IN_FLIGHT, jobs.length) }, () =>
      worker().catch((e: unknown) => {
        failed ??= e;
        next = jobs.length;
      }),
    ),
  );
  if (failed) throw failed;
  const output: OutputTensor = {
    datatype: 'FP32',
    shape: [rows, height * scale, width * scale, channels],
    data: out,
  };
  return { result: new Map([[outputName, output]]), queueMs, computeMs };
}

/** The tile's region of image `row` (NHWC), as its own array. */
function crop(
  data: Float32Array,
  row: number,
  tile: Tile,
  width: number,
  height: number,
  channels: number,
): Float32Array {
  const out = new Float32Array(tile.width * tile.height * channels);
  const line = tile.width * channels;
  for (let y = 0; y < tile.height; y++) {
    const from = ((row * height + tile.y + y) * width + tile.x) * channels;
    out.set(data.subarray(from, from + line), y * line);
  }
  return out;
}

/** Copies the tile result's core into the output image `row` (`width`×`height`: output pixels). */
function paste(
  out: Float32Array,
  tileOut: Float32Array,
  row: number,
  tile: Tile,
  width: number,
  height: number,
  channels: number,
  scale: number,
): void {
  const tileWidth = tile.width * scale;
  const { core } = tile;
  const coreX = (core.x - tile.x) * scale;
  const coreY = (core.y - tile.y) * scale;
  const line = core.width * scale * channels;
  for (let y = 0; y < core.height * scale; y++) {
    const from = ((coreY + y) * tileWidth + coreX) * channels;
    const to = ((row * height + core.y * scale + y) * width + core.x * scale) * channels;
    out.set(tileOut.subarray(from, from + line), to);
  }
}
