import code from '../../../shaders/halftone.wgsl?raw';
import { INK_ANGLES, type Params } from '../defs/halftone';
import { singlePassEffect } from './gpu-effect';

export const halftoneGpu = singlePassEffect<Params>(
  'halftone',
  { label: 'Triad.halftone', code, inputs: 1, uniformWords: 12 },
  (u, p) => {
    u.f32(p.size, p.cmyk ? 1 : 0, 0, 0);
    for (const ink of INK_ANGLES) {
      const a = ((ink + p.angle - 45) * Math.PI) / 180;
      u.f32(Math.cos(a), Math.sin(a));
    }
  },
);
