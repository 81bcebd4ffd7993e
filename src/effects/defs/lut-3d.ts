import { defineEffect } from '../effect';
import { mapRgb } from '../image';
import { sampleLut } from '../lut/lut';
import type { LutRef } from '../params';

const params = {
  lut: { kind: 'lut', label: 'LUT (.cube)' },
  intensity: {
    kind: 'number',
    label: 'Intensity',
    min: 0,
    max: 100,
    step: 1,
    default: 100,
    unit: '%',
  },
} as const;

export type Params = { lut: LutRef | null; intensity: number };

export const lut3d = defineEffect({
  id: 'lut-3d',
  name: '3D LUT',
  description: 'Colour grade from a .cube file, with trilinear interpolation.',
  category: 'colour',
  params,
  tolerance: 1,
  cpu: (src, p: Params, _frame, env) => {
    const lut = p.lut ? env.lut(p.lut.id) : undefined;
    if (!lut) return { ...src, data: src.data.slice() };
    const k = p.intensity / 100;
    const graded = new Float64Array(3);
    const rgb = [0, 0, 0];
    return mapRgb(src, (r, g, b, out) => {
      rgb[0] = r;
      rgb[1] = g;
      rgb[2] = b;
      sampleLut(lut, rgb, graded);
      for (let c = 0; c < 3; c++) out[c] = rgb[c] + (graded[c] - rgb[c]) * k;
    });
  },
});
