import { defineEffect, wholeFrame } from '../effect';
import { bilinearAt, mapRgb } from '../image';

const params = {
  amount: { kind: 'number', label: 'Shift', min: 0, max: 40, step: 0.5, default: 4, unit: 'px' },
} as const;

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
        out[0] = bilinearAt(src, px + dx, py + dy - top, 0);
        out[1] = g;
        out[2] = bilinearAt(src, px - dx, py - dy - top, 2);
      },
      top,
    );
  },
});
