import code from '../../../shaders/vignette.wgsl?raw';
import type { Params } from '../defs/vignette';
import { singlePassEffect } from './gpu-effect';

export const vignetteGpu = singlePassEffect<Params>(
  'vignette',
  { label: 'Triad.vignette', code, inputs: 1, uniformWords: 4 },
  (u, p) => {
    u.f32(p.amount / 100, p.midpoint / 100, p.feather / 100);
  },
);
