import code from '../../../shaders/invert.wgsl?raw';
import { singlePassEffect } from './gpu-effect';

export const invertGpu = singlePassEffect(
  'invert',
  { label: 'Triad.invert', code, inputs: 1, uniformWords: 4 },
  (u) => {
    u.f32(0);
  },
);
