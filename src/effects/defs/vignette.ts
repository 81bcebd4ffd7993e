import { defineEffect, wholeFrame } from '../effect';
import { mapRgb } from '../image';

const params = {
  amount: { kind: 'number', label: 'Amount', min: 0, max: 100, step: 1, default: 50, unit: '%' },
  midpoint: {
    kind: 'number',
    label: 'Midpoint',
    min: 0,
    max: 100,
    step: 1,
    default: 60,
    unit: '%',
  },
  feather: { kind: 'number', label: 'Feather', min: 1, max: 100, step: 1, default: 50, unit: '%' },
} as const;

export type Params = { amount: number; midpoint: number; feather: number };

export const vignette = defineEffect({
  id: 'vignette',
  name: 'Vignette',
  description: 'Darkens the corners, like a lens does.',
  category: 'lens',
  params,
  tolerance: 1,
  cpu: (src, p: Params, _frame, _env, region = wholeFrame(src.height)) => {
    const amount = p.amount / 100;
    const feather = p.feather / 100;
    const lo = p.midpoint / 100 - feather / 2;
    const cx = src.width / 2;
    const cy = region.fullHeight / 2;
    const norm = Math.hypot(cx, cy);
    return mapRgb(
      src,
      (r, g, b, out, x, y) => {
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / norm;
        const t = Math.min(1, Math.max(0, (d - lo) / feather));
        const k = 1 - amount * (t * t * (3 - 2 * t));
        out[0] = r * k;
        out[1] = g * k;
        out[2] = b * k;
      },
      region.top,
    );
  },
});
