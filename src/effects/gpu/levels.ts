import code from '../../../shaders/levels.wgsl?raw';
import { levelsUniforms, type Params } from '../defs/levels';
import { singlePassEffect } from './gpu-effect';

export const levelsGpu = singlePassEffect<Params>(
  'levels',
  { label: 'Triad.levels', code, inputs: 1, uniformWords: 32 },
  (u, p) => {
    for (const l of levelsUniforms(p))
      u.f32(l.inBlack, l.inRange, l.outBlack, l.outRange, l.invGamma, 0, 0, 0);
  },
);
