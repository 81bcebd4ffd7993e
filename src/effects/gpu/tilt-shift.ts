import code from '../../../shaders/tilt-shift.wgsl?raw';
import { ComputeKernel, type KernelSpec } from '../../gpu/compute-kernel';
import { UniformBlock } from '../../gpu/uniforms';
import { tiltShiftBand, tiltShiftRadii, type Params } from '../defs/tilt-shift';
import { BLUR_KERNEL, BlurPasses } from './blur-passes';
import { gpuEffect } from './gpu-effect';

/** Blends the frame with its two blurs (inputs: the frame, half blurred, fully blurred). */
const BLEND: KernelSpec = { label: 'Triad.tiltShiftBlend', code, inputs: 3, uniformWords: 8 };

export const tiltShiftGpu = gpuEffect({
  effect: 'tilt-shift',
  kernels: [BLUR_KERNEL, BLEND],
  create: (gpu) => {
    // One pair of blur passes per blur: each owns its uniforms (see segmentation-gpu.ts).
    const halfPasses = new BlurPasses(gpu, 'Triad.tiltShift.half');
    const fullPasses = new BlurPasses(gpu, 'Triad.tiltShift.full');
    const blend = new ComputeKernel(gpu.device, BLEND);
    const uniforms = new UniformBlock(gpu, 'Triad.tiltShift.uniforms', BLEND.uniformWords);
    return {
      encode(io, p: Params) {
        const { width, height } = io.input;
        const [r1, r2] = tiltShiftRadii(p);
        const half = io.pool.acquire(width, height);
        const full = io.pool.acquire(width, height);
        halfPasses.encode(io.encoder, io.input, half, r1, io.pool);
        fullPasses.encode(io.encoder, io.input, full, r2, io.pool);
        const band = tiltShiftBand(p, width, height);
        blend.dispatch(io.encoder, {
          output: io.output,
          inputs: [io.input, half, full],
          uniforms: uniforms
            .begin()
            .f32(band.cx, band.cy, band.nx, band.ny, band.lo, band.hi, 0)
            .upload(),
        });
        io.pool.release(half);
        io.pool.release(full);
      },
      destroy() {
        halfPasses.destroy();
        fullPasses.destroy();
        uniforms.destroy();
      },
    };
  },
});
