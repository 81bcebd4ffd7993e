import { defineEffect, wholeFrame } from '../effect';
import { loadClamped, mapRgb, type RgbaImage } from '../image';

const params = {
  amount: { kind: 'number', label: 'Shift', min: 0, max: 40, step: 0.5, default: 4, unit: 'px' },
} as const;

/** Bilinear tap of one channel at (qx, qy), pixel centres at +0.5, edges clamped. */
function bilinear(img: RgbaImage, qx: number, qy: number, c: number): number {
  const x = qx - 0.5;
  const y = qy - 0.5;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const top = loadClamped(img, x0, y0, c) * (1 - fx) + loadClamped(img, x0 + 1, y0, c) * fx;
  const bottom =
    loadClamped(img, x0, y0 + 1, c) * (1 - fx) + loadClamped(img, x0 + 1, y0 + 1, c) * fx;
  return top * (1 - fy) + bottom * fy;
}

export const chromaticAberration = defineEffect({
  id: 'chromatic-aberration',
  name: 'Chromatic aberration',
  description: 'Red and blue fringes that grow toward the edges, like a cheap lens.',
  category: 'lens',
  params,
  tolerance: 2,
  // Taps reach `amount` pixels away along the ray from the centre, plus one for bilinear.
  halo: (p) => Math.ceil(p.amount) + 2,
  cpu: (src, p, _frame, _env, region = wholeFrame(src.height)) => {
    const cx = src.width / 2;
    const cy = region.fullHeight / 2;
    const top = region.top;
    const norm = Math.hypot(cx, cy);
    return mapRgb(
      src,
      (_r, g, _b, out, x, y) => {
        const px = x + 0.5;
        const py = y + 0.5;
        const dx = ((px - cx) / norm) * p.amount;
        const dy = ((py - cy) / norm) * p.amount;
        // Sample in band coordinates: the band's first row is full-frame row `top`.
        out[0] = bilinear(src, px + dx, py + dy - top, 0);
        out[1] = g;
        out[2] = bilinear(src, px - dx, py - dy - top, 2);
      },
      top,
    );
  },
});
