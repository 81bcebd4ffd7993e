import code from '../../../shaders/posterize.wgsl?raw';
import { singlePassEffect } from './gpu-effect';

export const posterizeGpu = singlePassEffect<{ levels: number }>(
  'posterize',
  { label: 'Triad.posterize', code, inputs: 1, uniformWords: 4 },
  (u, p) => {
    u.f32(p.levels);
  },
);
