import code from '../../../shaders/film-grain.wgsl?raw';
import type { KernelSpec } from '../../gpu/compute-kernel';
import { singlePassStage } from '../../gpu/single-pass-stage';
import { MAX_STRENGTH, type Params } from '../defs/film-grain';
import { gpuEffect } from './gpu-effect';

const KERNEL: KernelSpec = { label: 'Triad.filmGrain', code, inputs: 1, uniformWords: 12 };

export const filmGrainGpu = gpuEffect({
  effect: 'film-grain',
  kernels: [KERNEL],
  create: (gpu) =>
    singlePassStage<Params>(gpu, KERNEL, (u, p, io) => {
      u.f32((p.amount / 100) * MAX_STRENGTH).u32(p.size, p.seed, io.frame.index, p.mono ? 1 : 0);
    }),
});
