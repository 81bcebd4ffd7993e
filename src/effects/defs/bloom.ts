import { defineEffect } from '../effect';
import { createImage, toByte, type RgbaImage } from '../image';

const params = {
  threshold: {
    kind: 'number',
    label: 'Threshold',
    min: 0,
    max: 100,
    step: 1,
    default: 60,
    unit: '%',
  },
  radius: { kind: 'number', label: 'Radius', min: 4, max: 128, step: 1, default: 32, unit: 'px' },
  intensity: {
    kind: 'number',
    label: 'Intensity',
    min: 0,
    max: 300,
    step: 1,
    default: 100,
    unit: '%',
  },
} as const;

export type Params = { threshold: number; radius: number; intensity: number };

/** Luma above the threshold over which a pixel's glow ramps from none to all of it. */
export const BLOOM_KNEE = 0.1;

/** Pyramid levels below the frame: each halves the size, so the glow reaches about `radius`. */
export function bloomLevels(radius: number): number {
  return Math.min(7, Math.max(1, Math.round(Math.log2(radius)) - 1));
}

/** A level's size: half the one above, rounded up. */
export const halfSize = (n: number) => Math.ceil(n / 2);

type Level = { width: number; height: number; data: Float64Array };

const level = (width: number, height: number): Level => ({
  width,
  height,
  data: new Float64Array(width * height * 3),
});

/** Stored as the GPU stores it: in 8 bits. */
const store = (v: number) => toByte(v) / 255;

/** The 2×2 average of `f` (a pixel's three values) into `out`, edges clamped, as bytes. */
function downsample(
  width: number,
  height: number,
  out: Level,
  f: (x: number, y: number, c: number) => number,
): void {
  for (let y = 0; y < out.height; y++)
    for (let x = 0; x < out.width; x++)
      for (let c = 0; c < 3; c++) {
        const [x1, y1] = [Math.min(2 * x + 1, width - 1), Math.min(2 * y + 1, height - 1)];
        const sum = f(2 * x, 2 * y, c) + f(x1, 2 * y, c) + f(2 * x, y1, c) + f(x1, y1, c);
        out.data[(y * out.width + x) * 3 + c] = store(sum * 0.25);
      }
}

/** `small` sampled bilinearly at pixel (x, y) of an image `width`×`height` (same place). */
function upsample(small: Level, width: number, height: number, x: number, y: number, c: number) {
  const fx = ((x + 0.5) * small.width) / width - 0.5;
  const fy = ((y + 0.5) * small.height) / height - 0.5;
  const [x0, y0] = [Math.floor(fx), Math.floor(fy)];
  const [tx, ty] = [fx - x0, fy - y0];
  const at = (xx: number, yy: number) => {
    const cx = Math.min(small.width - 1, Math.max(0, xx));
    const cy = Math.min(small.height - 1, Math.max(0, yy));
    return small.data[(cy * small.width + cx) * 3 + c];
  };
  const top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * tx;
  const bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * tx;
  return top + (bottom - top) * ty;
}

/** The glow at half the frame's size: bright pass, down the pyramid and back up. */
export function bloomGlow(src: RgbaImage, p: Params): Level {
  const t = p.threshold / 100;
  const bright = (x: number, y: number, c: number) => {
    const i = (y * src.width + x) * 4;
    const [r, g, b] = [src.data[i] / 255, src.data[i + 1] / 255, src.data[i + 2] / 255];
    const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    const w = Math.min(1, Math.max(0, (luma - t) / BLOOM_KNEE));
    return (src.data[i + c] / 255) * w;
  };
  const levels: Level[] = [level(halfSize(src.width), halfSize(src.height))];
  downsample(src.width, src.height, levels[0], bright);
  for (let k = 1; k < bloomLevels(p.radius); k++) {
    const above = levels[k - 1];
    const next = level(halfSize(above.width), halfSize(above.height));
    downsample(
      above.width,
      above.height,
      next,
      (x, y, c) => above.data[(y * above.width + x) * 3 + c],
    );
    levels.push(next);
  }
  let up = levels[levels.length - 1];
  for (let k = levels.length - 2; k >= 0; k--) {
    const here = levels[k];
    const out = level(here.width, here.height);
    for (let y = 0; y < here.height; y++)
      for (let x = 0; x < here.width; x++)
        for (let c = 0; c < 3; c++) {
          const i = (y * here.width + x) * 3 + c;
          out.data[i] = store(
            (here.data[i] + upsample(up, here.width, here.height, x, y, c)) * 0.5,
          );
        }
    up = out;
  }
  return up;
}

export const bloom = defineEffect({
  id: 'bloom',
  name: 'Bloom',
  description:
    'Bright parts glow into their surroundings (a pyramid of half-size copies, not one giant blur).',
  category: 'lens',
  params,
  tolerance: 2,
  // The pyramid is built over the whole frame: a band gets all of it (exact, and more work).
  halo: () => Number.MAX_SAFE_INTEGER,
  cpu: (src, p: Params) => {
    const glow = bloomGlow(src, p);
    const dst = createImage(src.width, src.height);
    const intensity = p.intensity / 100;
    for (let y = 0; y < src.height; y++)
      for (let x = 0; x < src.width; x++) {
        const i = (y * src.width + x) * 4;
        for (let c = 0; c < 3; c++)
          dst.data[i + c] = toByte(
            src.data[i + c] / 255 + intensity * upsample(glow, src.width, src.height, x, y, c),
          );
        dst.data[i + 3] = src.data[i + 3];
      }
    return dst;
  },
});
