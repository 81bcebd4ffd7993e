import code from '../../../shaders/posterize.wgsl?raw';
import type { KernelSpec } from '../../gpu/compute-kernel';
import { singlePassStage } from '../../gpu/single-pass-stage';
import { gpuEffect } from './gpu-effect';

const KERNEL: KernelSpec = { label: 'Triad.posterize', code, inputs: 1, uniformWords: 4 };

export const posterizeGpu = gpuEffect({
  effect: 'posterize',
  kernels: [KERNEL],
  create: (gpu) =>
    singlePassStage<{ levels: number }>(gpu, KERNEL, (u, p) => {
      u.f32(p.levels);
    }),
});
