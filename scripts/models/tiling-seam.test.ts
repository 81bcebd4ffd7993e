// Tiled super-resolution on the real model: the seams between tiles must be invisible. ESRGAN is
// convolutional with a receptive field of several pixels, so a tile's output near its edge
// differs from the whole-image output unless the tile reads enough context around its core.
// SR_OVERLAP in src/ml/tiling.ts was chosen with this measurement (its comment has the sweep over
// overlaps, crops and both models); here the ×2 model keeps it honest.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage, type RgbaImage } from '../../src/effects/image';
import { cropImage, planTiles, runTiled, SR_OVERLAP } from '../../src/ml/tiling';
import { decodePng } from './png';

const ROOT = new URL('../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(`${ROOT}public/models/manifest.json`, 'utf8')) as {
  models: {
    id: string;
    scale: number;
    files: { onnx: string };
    inputs: { name: string }[];
    outputs: { name: string }[];
  }[];
};
const entry = manifest.models.find((m) => m.id === 'esrgan-slim-x2')!;
const SCALE = entry.scale;
/** Small tiles, so that a 160×120 crop has several seams each way. */
const TILE = 64;
/** Pixels of output each side of a seam that count as "at the seam". */
const BAND = 2;

let session: ort.InferenceSession | undefined;

/** The model on one image: NHWC float32 RGB in [0, 255] in and out; alpha is opaque. */
async function upscale(image: RgbaImage): Promise<RgbaImage> {
  const { width, height } = image;
  const input = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++)
    for (let c = 0; c < 3; c++) input[i * 3 + c] = image.data[i * 4 + c];
  if (!session) throw new Error('the model session is not open');
  const result = await session.run({
    [entry.inputs[0].name]: new ort.Tensor('float32', input, [1, height, width, 3]),
  });
  const output = result[entry.outputs[0].name];
  const [, h, w] = output.dims;
  const values = output.data as Float32Array;
  const out = createImage(w, h);
  for (let i = 0; i < w * h; i++) {
    // Uint8ClampedArray clamps to [0, 255] and rounds.
    for (let c = 0; c < 3; c++) out.data[i * 4 + c] = values[i * 3 + c];
    out.data[i * 4 + 3] = 255;
  }
  output.dispose();
  return out;
}

/** Whether output pixel (x, y) lies within BAND px of a boundary between two tiles' cores. */
function seamMask(width: number, height: number, overlap: number): Uint8Array {
  const xs = new Set<number>();
  const ys = new Set<number>();
  for (const t of planTiles(width, height, TILE, overlap)) {
    if (t.core.x > 0) xs.add(t.core.x * SCALE);
    if (t.core.y > 0) ys.add(t.core.y * SCALE);
  }
  const W = width * SCALE;
  const H = height * SCALE;
  const mask = new Uint8Array(W * H);
  const near = (v: number, lines: Set<number>) =>
    [...lines].some((l) => v >= l - BAND && v < l + BAND);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) if (near(x, xs) || near(y, ys)) mask[y * W + x] = 1;
  return mask;
}

/** PSNR over the RGB of the pixels where `mask` is set (all pixels without one), and max |Δ|. */
function compare(a: RgbaImage, b: RgbaImage, mask?: Uint8Array): { psnr: number; maxDiff: number } {
  let se = 0;
  let n = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    if (mask && !mask[i]) continue;
    for (let c = 0; c < 3; c++) {
      const d = a.data[i * 4 + c] - b.data[i * 4 + c];
      se += d * d;
      maxDiff = Math.max(maxDiff, Math.abs(d));
      n++;
    }
  }
  return { psnr: se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / n)), maxDiff };
}

describe('tiled super-resolution (ESRGAN-slim ×2, onnxruntime-node) on a real photo', () => {
  let photo: RgbaImage;
  let whole: RgbaImage;

  beforeAll(async () => {
    session = await ort.InferenceSession.create(`${ROOT}public/models/${entry.files.onnx}`, {
      intraOpNumThreads: 2,
    });
    const png = decodePng(readFileSync(`${ROOT}e2e/fixtures/chelsea.png`));
    const full: RgbaImage = {
      width: png.width,
      height: png.height,
      data: new Uint8ClampedArray(png.data),
    };
    photo = cropImage(full, Math.floor(png.width / 2) - 80, Math.floor(png.height / 4), 160, 120);
    whole = await upscale(photo);
  }, 60_000);

  afterAll(async () => {
    await session?.release();
  });

  async function tiledVsWhole(overlap: number) {
    const tiled = await runTiled(photo, SCALE, upscale, { tileSize: TILE, overlap });
    const all = compare(tiled, whole);
    const seams = compare(tiled, whole, seamMask(photo.width, photo.height, overlap));
    const tiles = planTiles(photo.width, photo.height, TILE, overlap).length;
    const summary =
      `overlap ${overlap}, ${tiles} tiles: whole image ${all.psnr.toFixed(1)} dB, ` +
      `seams ${seams.psnr.toFixed(1)} dB, max |Δ| at seams ${seams.maxDiff}`;
    console.log(summary);
    return { all, seams, tiles, summary };
  }

  it(`with SR_OVERLAP (${SR_OVERLAP} px) the seams are invisible: ≥ 45 dB at the seams, ≥ 40 dB overall`, async () => {
    const { all, seams, tiles, summary } = await tiledVsWhole(SR_OVERLAP);
    expect(tiles, 'the crop should have seams both ways').toBeGreaterThanOrEqual(6);
    expect(all.psnr, summary).toBeGreaterThanOrEqual(40);
    expect(seams.psnr, summary).toBeGreaterThanOrEqual(45);
    expect(seams.maxDiff, summary).toBeLessThanOrEqual(8);
  });

  it('without overlap the seams show: ≥ 10 dB worse at the seams than with SR_OVERLAP', async () => {
    const without = await tiledVsWhole(0);
    const withOverlap = await tiledVsWhole(SR_OVERLAP);
    expect(without.seams.psnr, without.summary).toBeLessThan(40);
    expect(withOverlap.seams.psnr - without.seams.psnr, without.summary).toBeGreaterThanOrEqual(10);
  });
});
