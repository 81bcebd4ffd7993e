import code from '../../../shaders/pixelate.wgsl?raw';
import type { KernelSpec } from '../../gpu/compute-kernel';
import { singlePassStage } from '../../gpu/single-pass-stage';
import { gpuEffect } from './gpu-effect';

const KERNEL: KernelSpec = { label: 'Triad.pixelate', code, inputs: 1, uniformWords: 4 };

export const pixelateGpu = gpuEffect({
  effect: 'pixelate',
  kernels: [KERNEL],
  create: (gpu) =>
    singlePassStage<{ block: number }>(gpu, KERNEL, (u, p, io) => {
      u.u32(p.block);
      // One invocation per block, not per pixel.
      return [Math.ceil(io.output.width / p.block), Math.ceil(io.output.height / p.block)];
    }),
});
