import code from '../../../shaders/vignette.wgsl?raw';
import type { KernelSpec } from '../../gpu/compute-kernel';
import { singlePassStage } from '../../gpu/single-pass-stage';
import type { Params } from '../defs/vignette';
import { gpuEffect } from './gpu-effect';

const KERNEL: KernelSpec = { label: 'Triad.vignette', code, inputs: 1, uniformWords: 4 };

export const vignetteGpu = gpuEffect({
  effect: 'vignette',
  kernels: [KERNEL],
  create: (gpu) =>
    singlePassStage<Params>(gpu, KERNEL, (u, p) => {
      u.f32(p.amount / 100, p.midpoint / 100, p.feather / 100);
    }),
});
