import code from '../../../shaders/film-grain.wgsl?raw';
import { MAX_STRENGTH, type Params } from '../defs/film-grain';
import { singlePassEffect } from './gpu-effect';

export const filmGrainGpu = singlePassEffect<Params>(
  'film-grain',
  { label: 'Triad.filmGrain', code, inputs: 1, uniformWords: 12 },
  (u, p, io) => {
    u.f32((p.amount / 100) * MAX_STRENGTH).u32(p.size, p.seed, io.frame.index, p.mono ? 1 : 0);
  },
);
