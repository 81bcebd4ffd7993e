import code from '../../../shaders/colour-adjust.wgsl?raw';
import { resolveColourAdjust, type ColourAdjustParams } from '../defs/colour-adjust';
import { singlePassEffect } from './gpu-effect';

export const colourAdjustGpu = singlePassEffect<ColourAdjustParams>(
  'colour-adjust',
  { label: 'Triad.colourAdjust', code, inputs: 1, uniformWords: 20 },
  (u, p) => {
    const { gain, contrast, matrix: m, invGamma } = resolveColourAdjust(p);
    u.f32(...gain, 0)
      .f32(m[0], m[1], m[2], 0)
      .f32(m[3], m[4], m[5], 0)
      .f32(m[6], m[7], m[8], 0)
      .f32(contrast, invGamma);
  },
);
