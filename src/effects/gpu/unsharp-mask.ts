import code from '../../../shaders/unsharp-combine.wgsl?raw';
import { ComputeKernel, type KernelSpec } from '../../gpu/compute-kernel';
import { UniformBlock } from '../../gpu/uniforms';
import type { Params } from '../defs/unsharp-mask';
import { BLUR_KERNEL, BlurPasses } from './blur-passes';
import { gpuEffect } from './gpu-effect';

/** Combines the frame with its blur (inputs: the frame, the blurred frame). */
const COMBINE: KernelSpec = { label: 'Triad.unsharpCombine', code, inputs: 2, uniformWords: 4 };

export const unsharpMaskGpu = gpuEffect({
  effect: 'unsharp-mask',
  kernels: [BLUR_KERNEL, COMBINE],
  create: (gpu) => {
    const passes = new BlurPasses(gpu, 'Triad.unsharpMask.blur');
    const combine = new ComputeKernel(gpu.device, COMBINE);
    const uniforms = new UniformBlock(gpu, 'Triad.unsharpMask.uniforms', COMBINE.uniformWords);
    return {
      encode(io, p: Params) {
        const blurred = io.pool.acquire(io.input.width, io.input.height);
        passes.encode(io.encoder, io.input, blurred, p.radius, io.pool);
        combine.dispatch(io.encoder, {
          output: io.output,
          inputs: [io.input, blurred],
          uniforms: uniforms
            .begin()
            .f32(p.amount / 100, p.threshold)
            .upload(),
        });
        io.pool.release(blurred);
      },
      destroy() {
        passes.destroy();
        uniforms.destroy();
      },
    };
  },
});
