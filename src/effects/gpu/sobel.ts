import code from '../../../shaders/sobel.wgsl?raw';
import type { KernelSpec } from '../../gpu/compute-kernel';
import { singlePassStage } from '../../gpu/single-pass-stage';
import type { Params } from '../defs/sobel';
import { gpuEffect } from './gpu-effect';

const KERNEL: KernelSpec = { label: 'Triad.sobel', code, inputs: 1, uniformWords: 4 };

export const sobelGpu = gpuEffect({
  effect: 'sobel',
  kernels: [KERNEL],
  create: (gpu) =>
    singlePassStage<Params>(gpu, KERNEL, (u, p) => {
      u.f32(p.strength, p.invert ? 1 : 0);
    }),
});
