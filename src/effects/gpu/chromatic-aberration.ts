import code from '../../../shaders/chromatic-aberration.wgsl?raw';
import type { KernelSpec } from '../../gpu/compute-kernel';
import { singlePassStage } from '../../gpu/single-pass-stage';
import { gpuEffect } from './gpu-effect';

const KERNEL: KernelSpec = { label: 'Triad.chromaticAberration', code, inputs: 1, uniformWords: 4 };

export const chromaticAberrationGpu = gpuEffect({
  effect: 'chromatic-aberration',
  kernels: [KERNEL],
  create: (gpu) =>
    singlePassStage<{ amount: number }>(gpu, KERNEL, (u, p) => {
      u.f32(p.amount);
    }),
});
