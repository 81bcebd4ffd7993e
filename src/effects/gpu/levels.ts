import code from '../../../shaders/levels-table.wgsl?raw';
import { levelsUniforms, type Params } from '../defs/levels';
import { toneTableEffect } from './tone-table';

export const levelsGpu = toneTableEffect<Params>(
  'levels',
  { label: 'Triad.levelsTable', code, inputs: 0, uniformWords: 32 },
  (u, p) => {
    for (const l of levelsUniforms(p))
      u.f32(l.inBlack, l.inRange, l.outBlack, l.outRange, l.invGamma, 0, 0, 0);
  },
);
