// Tiling for models that take a bounded input (super-resolution): the image is cut into tiles
// whose *cores* partition it exactly; each tile's input region adds `overlap` px of context
// around its core wherever the core does not touch the image border, and only the core of each
// result is kept. With enough context the model's output at a core's edge is the same as on the
// whole image, so the seams are invisible.
import { createImage, type RgbaImage } from '../effects/image';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Tile extends Rect {
  /** The part of the input this tile owns in the output, in input pixels; inside the tile. */
  core: Rect;
}

/**
 * Context for ESRGAN-slim (×2 and ×4), measured in `scripts/models/tiling-seam.test.ts` and a sweep
 * like it: tiled vs whole-image output of a 160×120 photo crop with 64 px tiles, PSNR in a 2 px
 * band each side of every seam / max |Δ| there, worst of four crops:
 *
 *   overlap   0        1        2        3        4        6        8        10
 *   ×2      33.8/81  43.4/25  46.7/10  49.5/6   52.0/3   58.1/1   73.4/1   exact
 *   ×4      32.4/73  36.1/20  39.0/14  41.9/7   45.6/6   56.0/2   67.6/1   exact
 *
 * 2 px is the smallest with ≥ 45 dB for ×2, 4 px for ×4; one constant serves both, and 6 px
 * leaves a margin (≥ 56 dB, |Δ| ≤ 2 for both) for under 20 % more pixels. (From 10 px on the tiles
 * reproduce the whole-image bytes exactly: the receptive field is ≤ 10 px.)
 */
export const SR_OVERLAP = 6;

/**
 * Input tile size for super-resolution in the app: a 128² tile gives a 512² ×4 result (3 MiB of
 * float32 RGB), and with SR_OVERLAP the cores are ≥ 116 px, so tiling costs ≤ 22 % more pixels.
 */
export const SR_TILE = 128;

interface Segment {
  start: number;
  length: number;
  coreStart: number;
  coreLength: number;
}

/**
 * Cuts [0, length) into segments of at most `tileSize` whose cores partition it, each core with
 * `overlap` of context on every side that is not an end. The n − 1 inner boundaries need `overlap`
 * on both sides, so the middle `length − 2·overlap` is split as evenly as possible into n parts of
 * at most `tileSize − 2·overlap`, and the two end cores get the `overlap` at the ends on top: every
 * region is then the same size ± 1 (no sliver tile).
 */
function planSegments(length: number, tileSize: number, overlap: number): Segment[] {
  if (length <= tileSize) return [{ start: 0, length, coreStart: 0, coreLength: length }];
  const inner = length - 2 * overlap;
  const n = Math.ceil(inner / (tileSize - 2 * overlap));
  const segments: Segment[] = [];
  let coreStart = 0;
  for (let i = 0; i < n; i++) {
    let coreLength = Math.floor(((i + 1) * inner) / n) - Math.floor((i * inner) / n);
    if (i === 0) coreLength += overlap;
    if (i === n - 1) coreLength += overlap;
    const start = Math.max(0, coreStart - overlap);
    const end = Math.min(length, coreStart + coreLength + overlap);
    segments.push({ start, length: end - start, coreStart, coreLength });
    coreStart += coreLength;
  }
  return segments;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

/**
 * Tiles covering a `width`×`height` image, row by row: input regions at most `tileSize` square,
 * cores partitioning the image, each core with at least `overlap` px of context on every side that
 * is not on the image border. An image no larger than `tileSize` either way is one tile.
 */
export function planTiles(
  width: number,
  height: number,
  tileSize: number,
  overlap: number,
): Tile[] {
  checkInteger('width', width, 1);
  checkInteger('height', height, 1);
  checkInteger('tileSize', tileSize, 1);
  checkInteger('overlap', overlap, 0);
  if (tileSize <= 2 * overlap) {
    throw new RangeError(
      `tileSize (${tileSize}) must be greater than 2 × overlap (${overlap}): a tile needs context on both sides and a core`,
    );
  }
  const columns = planSegments(width, tileSize, overlap);
  const rows = planSegments(height, tileSize, overlap);
  return rows.flatMap((r) =>
    columns.map((c) => ({
      x: c.start,
      y: r.start,
      width: c.length,
      height: r.length,
      core: { x: c.coreStart, y: r.coreStart, width: c.coreLength, height: r.coreLength },
    })),
  );
}

/** A copy of the `w`×`h` rectangle at (x, y), which must lie inside the image. */
export function cropImage(image: RgbaImage, x: number, y: number, w: number, h: number): RgbaImage {
  if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > image.width || y + h > image.height) {
    throw new RangeError(
      `crop ${w}×${h} at (${x}, ${y}) is not inside the ${image.width}×${image.height} image`,
    );
  }
  const out = createImage(w, h);
  for (let row = 0; row < h; row++) {
    const from = ((y + row) * image.width + x) * 4;
    out.data.set(image.data.subarray(from, from + w * 4), row * w * 4);
  }
  return out;
}

export interface TiledOptions {
  tileSize: number;
  overlap: number;
  /** Called after each tile with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Checked before and after each tile; its reason is thrown when aborted. */
  signal?: AbortSignal;
}

/**
 * Runs `infer` (which returns its input `scale` times larger) over `image` tile by tile, one at a
 * time, and assembles the cores of the results into the `scale`× image.
 */
export async function runTiled(
  image: RgbaImage,
  scale: number,
  infer: (tile: RgbaImage) => Promise<RgbaImage>,
  options: TiledOptions,
): Promise<RgbaImage> {
  checkInteger('scale', scale, 1);
  const { tileSize, overlap, onProgress, signal } = options;
  const tiles = planTiles(image.width, image.height, tileSize, overlap);
  const outWidth = image.width * scale;
  const out = createImage(outWidth, image.height * scale);
  for (let i = 0; i < tiles.length; i++) {
    signal?.throwIfAborted();
    const tile = tiles[i];
    const result = await infer(cropImage(image, tile.x, tile.y, tile.width, tile.height));
    signal?.throwIfAborted();
    if (result.width !== tile.width * scale || result.height !== tile.height * scale) {
      throw new Error(
        `tile ${i} (${tile.width}×${tile.height} at ${tile.x}, ${tile.y}): the model returned ` +
          `${result.width}×${result.height}, expected ${tile.width * scale}×${tile.height * scale} (×${scale})`,
      );
    }
    // The core, scaled, from the result into the output, row by row.
    const { core } = tile;
    const rowBytes = core.width * scale * 4;
    const srcX = (core.x - tile.x) * scale;
    const srcY = (core.y - tile.y) * scale;
    for (let row = 0; row < core.height * scale; row++) {
      const from = ((srcY + row) * result.width + srcX) * 4;
      const to = ((core.y * scale + row) * outWidth + core.x * scale) * 4;
      out.data.set(result.data.subarray(from, from + rowBytes), to);
    }
    onProgress?.(i + 1, tiles.length);
  }
  return out;
}
