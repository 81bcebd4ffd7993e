import code from '../../../shaders/sobel.wgsl?raw';
import type { Params } from '../defs/sobel';
import { singlePassEffect } from './gpu-effect';

export const sobelGpu = singlePassEffect<Params>(
  'sobel',
  { label: 'Triad.sobel', code, inputs: 1, uniformWords: 4 },
  (u, p) => {
    u.f32(p.strength, p.invert ? 1 : 0);
  },
);
