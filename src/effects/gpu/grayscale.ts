import code from '../../../shaders/grayscale.wgsl?raw';
import { singlePassEffect } from './gpu-effect';

export const grayscaleGpu = singlePassEffect<{ amount: number }>(
  'grayscale',
  { label: 'Triad.grayscale', code, inputs: 1, uniformWords: 4 },
  (u, p) => {
    u.f32(p.amount / 100);
  },
);
