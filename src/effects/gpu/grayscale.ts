import code from '../../../shaders/grayscale.wgsl?raw';
import type { KernelSpec } from '../../gpu/compute-kernel';
import { singlePassStage } from '../../gpu/single-pass-stage';
import { gpuEffect } from './gpu-effect';

const KERNEL: KernelSpec = { label: 'Triad.grayscale', code, inputs: 1, uniformWords: 4 };

export const grayscaleGpu = gpuEffect({
  effect: 'grayscale',
  kernels: [KERNEL],
  create: (gpu) =>
    singlePassStage<{ amount: number }>(gpu, KERNEL, (u, p) => {
      u.f32(p.amount / 100);
    }),
});
