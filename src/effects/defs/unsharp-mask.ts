import { defineEffect } from '../effect';
import { createImage, toByte } from '../image';
import { MAX_BLUR_RADIUS, blurCpu } from './blur';

const params = {
  amount: { kind: 'number', label: 'Amount', min: 0, max: 500, step: 1, default: 100, unit: '%' },
  radius: {
    kind: 'number',
    label: 'Radius',
    min: 1,
    max: MAX_BLUR_RADIUS,
    step: 1,
    default: 3,
    unit: 'px',
  },
  threshold: {
    kind: 'number',
    label: 'Threshold',
    min: 0,
    max: 255,
    step: 1,
    default: 0,
    unit: 'levels',
  },
} as const;

export type Params = { amount: number; radius: number; threshold: number };

export const unsharpMask = defineEffect({
  id: 'unsharp-mask',
  name: 'Unsharp mask',
  description: 'Sharpens by adding back the difference from a blurred copy.',
  category: 'detail',
  params,
  tolerance: 2,
  halo: (p) => p.radius,
  cpu: (src, p: Params) => {
    const blurred = blurCpu(src, p.radius);
    const dst = createImage(src.width, src.height);
    const amount = p.amount / 100;
    for (let i = 0; i < src.data.length; i++) {
      if (i % 4 === 3) {
        dst.data[i] = src.data[i];
        continue;
      }
      const o = src.data[i] / 255;
      const d = o - blurred.data[i] / 255;
      const levels = Math.floor(Math.abs(d) * 255 + 0.5);
      dst.data[i] = toByte(levels >= p.threshold ? o + amount * d : o);
    }
    return dst;
  },
});
