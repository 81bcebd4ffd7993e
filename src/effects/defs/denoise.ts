import { defineEffect } from '../effect';
import { createImage, loadClamped, toByte } from '../image';

const params = {
  strength: {
    kind: 'number',
    label: 'Strength',
    min: 0,
    max: 100,
    step: 1,
    default: 40,
    unit: '%',
  },
  radius: { kind: 'number', label: 'Radius', min: 1, max: 8, step: 1, default: 3, unit: 'px' },
} as const;

export type Params = { strength: number; radius: number };

/** Colour differences (RGB distance in [0, 1] units) a strength of 100% smooths across. */
const MAX_RANGE_SIGMA = 0.25;

/** The filter's two Gaussian widths: in pixels, and in colour distance (0: none smoothed). */
export function bilateralSigmas(p: Params): { space: number; range: number } {
  return { space: Math.max(0.5, p.radius / 2), range: (p.strength / 100) * MAX_RANGE_SIGMA };
}

export const denoise = defineEffect({
  id: 'denoise',
  name: 'Denoise',
  description:
    'Smooths noise and keeps edges (a bilateral filter: neighbours of a different colour count less).',
  category: 'detail',
  params,
  tolerance: 2,
  halo: (p) => p.radius,
  cpu: (src, p: Params) => {
    const { space, range } = bilateralSigmas(p);
    const dst = createImage(src.width, src.height);
    const r = p.radius;
    for (let y = 0; y < src.height; y++) {
      for (let x = 0; x < src.width; x++) {
        const i = (y * src.width + x) * 4;
        const centre = [0, 1, 2].map((c) => src.data[i + c] / 255);
        const sum = [0, 0, 0];
        let total = 0;
        for (let dy = -r; dy <= r; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            const n = [0, 1, 2].map((c) => loadClamped(src, x + dx, y + dy, c));
            const d2 = (n[0] - centre[0]) ** 2 + (n[1] - centre[1]) ** 2 + (n[2] - centre[2]) ** 2;
            const spatial = -(dx * dx + dy * dy) / (2 * space * space);
            // No range to smooth across: only the pixel itself counts.
            const w =
              range > 0
                ? Math.exp(spatial - d2 / (2 * range * range))
                : dx === 0 && dy === 0
                  ? 1
                  : 0;
            for (let c = 0; c < 3; c++) sum[c] += n[c] * w;
            total += w;
          }
        }
        for (let c = 0; c < 3; c++) dst.data[i + c] = toByte(sum[c] / total);
        dst.data[i + 3] = src.data[i + 3];
      }
    }
    return dst;
  },
});
