import { defineEffect } from '../effect';
import { mapRgb } from '../image';

const params = {
  levels: { kind: 'number', label: 'Levels', min: 2, max: 32, step: 1, default: 4 },
} as const;

export const posterize = defineEffect({
  id: 'posterize',
  name: 'Posterize',
  description: 'Reduces each channel to a few flat levels.',
  category: 'stylise',
  params,
  tolerance: 1,
  cpu: (src, p) => {
    const steps = p.levels - 1;
    const q = (v: number) => Math.floor(v * steps + 0.5) / steps;
    return mapRgb(src, (r, g, b, out) => {
      out[0] = q(r);
      out[1] = q(g);
      out[2] = q(b);
    });
  },
});
