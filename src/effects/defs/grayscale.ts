import { defineEffect } from '../effect';
import { LUMA, mapRgb } from '../image';

const params = {
  amount: { kind: 'number', label: 'Amount', min: 0, max: 100, step: 1, default: 100, unit: '%' },
} as const;

export const grayscale = defineEffect({
  id: 'grayscale',
  name: 'Grayscale',
  description: 'Mixes toward Rec. 709 luma.',
  category: 'colour',
  params,
  tolerance: 1,
  cpu: (src, p) => {
    const a = p.amount / 100;
    return mapRgb(src, (r, g, b, out) => {
      const y = LUMA[0] * r + LUMA[1] * g + LUMA[2] * b;
      out[0] = r + (y - r) * a;
      out[1] = g + (y - g) * a;
      out[2] = b + (y - b) * a;
    });
  },
});
