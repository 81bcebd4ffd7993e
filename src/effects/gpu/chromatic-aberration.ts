import code from '../../../shaders/chromatic-aberration.wgsl?raw';
import { singlePassEffect } from './gpu-effect';

export const chromaticAberrationGpu = singlePassEffect<{ amount: number }>(
  'chromatic-aberration',
  { label: 'Triad.chromaticAberration', code, inputs: 1, uniformWords: 4 },
  (u, p) => {
    u.f32(p.amount);
  },
);
