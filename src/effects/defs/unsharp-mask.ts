import code from '../../../shaders/unsharp-combine.wgsl?raw';
import { ComputeKernel } from '../../gpu/compute-kernel';
import { UniformBlock } from '../../gpu/uniforms';
import { defineEffect } from '../effect';
import { createImage, toByte } from '../image';
import { BlurPasses, MAX_BLUR_RADIUS, blurCpu } from './blur-passes';

const params = {
  amount: { kind: 'number', label: 'Amount', min: 0, max: 500, step: 1, default: 100, unit: '%' },
  radius: {
    kind: 'number',
    label: 'Radius',
    min: 1,
    max: MAX_BLUR_RADIUS,
    step: 1,
    default: 3,
    unit: 'px',
  },
  threshold: {
    kind: 'number',
    label: 'Threshold',
    min: 0,
    max: 255,
    step: 1,
    default: 0,
    unit: 'levels',
  },
} as const;

type Params = { amount: number; radius: number; threshold: number };

export const unsharpMask = defineEffect({
  id: 'unsharp-mask',
  name: 'Unsharp mask',
  description: 'Sharpens by adding back the difference from a blurred copy.',
  category: 'detail',
  params,
  tolerance: 2,
  halo: (p) => p.radius,
  cpu: (src, p: Params) => {
    const blurred = blurCpu(src, p.radius);
    const dst = createImage(src.width, src.height);
    const amount = p.amount / 100;
    for (let i = 0; i < src.data.length; i++) {
      if (i % 4 === 3) {
        dst.data[i] = src.data[i];
        continue;
      }
      const o = src.data[i] / 255;
      const d = o - blurred.data[i] / 255;
      const levels = Math.floor(Math.abs(d) * 255 + 0.5);
      dst.data[i] = toByte(levels >= p.threshold ? o + amount * d : o);
    }
    return dst;
  },
  createGpuStage: (gpu) => {
    const passes = new BlurPasses(gpu, 'Triad.unsharpMask.blur');
    const combine = new ComputeKernel(gpu.device, {
      label: 'Triad.unsharpCombine',
      code,
      inputs: 2,
    });
    const uniforms = new UniformBlock(gpu, 'Triad.unsharpMask.uniforms', 4);
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
