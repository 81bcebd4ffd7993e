// The scenarios' media in Node, made as the browser makes them: the video edit's clip as an
// image sequence (the same panning photo under a moving coloured bar as makeClip draws), and
// the AI batch's crops of the three bundled photos (as sampleImages cuts them).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import type { RgbaImage } from '../core/image';
import { BATCH_PHOTOS, batchCrops, type BatchItem } from '../session/compare/batch';

const SAMPLES = fileURLToPath(new URL('../../public/samples/', import.meta.url));

async function decode(pipeline: Sharp): Promise<RgbaImage> {
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
}

/** `hsl(h 80% 50%)` as 8-bit RGB. */
function barColour(h: number): [number, number, number] {
  const [s, l] = [0.8, 0.5];
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [f(0), f(8), f(4)].map((v) => Math.round(v * 255)) as [number, number, number];
}

/**
 * The video edit's frames at `width`×`height`: a sample photo cover-fit 60 px wider than the
 * frame, panning 2 px a frame, under a bar moving 23 px a frame — every frame differs.
 */
export async function clipFrames(
  width: number,
  height: number,
): Promise<(index: number) => RgbaImage> {
  const photo = await decode(
    sharp(join(SAMPLES, 'astronaut-256.png')).resize(width + 60, height, { fit: 'cover' }),
  );
  const bar = Math.max(2, Math.round(width / 48));
  return (index) => {
    const data = new Uint8ClampedArray(width * height * 4);
    const dx = (index * 2) % 60;
    for (let y = 0; y < height; y++) {
      const from = (y * photo.width + dx) * 4;
      data.set(photo.data.subarray(from, from + width * 4), y * width * 4);
    }
    const [r, g, b] = barColour((index * 7) % 360);
    const x0 = (index * 23) % width;
    for (let y = 0; y < height; y++)
      for (let x = x0; x < Math.min(width, x0 + bar); x++)
        data.set([r, g, b, 255], (y * width + x) * 4);
    return { width, height, data };
  };
}

/**
 * `count` batch images from the three bundled photos: each scaled so its longer side is
 * `longSide`, then cut into crops as the app cuts them (`batchCrops`).
 */
export async function batchItems(longSide: number, count: number): Promise<BatchItem[]> {
  const photos = await Promise.all(
    BATCH_PHOTOS.map((name) =>
      decode(sharp(join(SAMPLES, name)).resize(longSide, longSide, { fit: 'inside' })),
    ),
  );
  return batchCrops(photos, count);
}
