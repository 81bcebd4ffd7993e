import code from '../../../shaders/denoise.wgsl?raw';
import { bilateralSigmas, type Params } from '../defs/denoise';
import { singlePassEffect } from './gpu-effect';

export const denoiseGpu = singlePassEffect<Params>(
  'denoise',
  { label: 'Triad.denoise', code, inputs: 1, uniformWords: 4 },
  (u, p) => {
    const { space, range } = bilateralSigmas(p);
    u.f32(p.radius, space, range);
  },
);
