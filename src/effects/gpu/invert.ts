import code from '../../../shaders/invert.wgsl?raw';
import type { KernelSpec } from '../../gpu/compute-kernel';
import { singlePassStage } from '../../gpu/single-pass-stage';
import { gpuEffect } from './gpu-effect';

const KERNEL: KernelSpec = { label: 'Triad.invert', code, inputs: 1, uniformWords: 4 };

export const invertGpu = gpuEffect({
  effect: 'invert',
  kernels: [KERNEL],
  create: (gpu) =>
    singlePassStage(gpu, KERNEL, (u) => {
      u.f32(0);
    }),
});
