import { encodeCopy } from '../../gpu/single-pass-stage';
import { BLUR_KERNEL, BlurPasses } from './blur-passes';
import { gpuEffect } from './gpu-effect';

export const gaussianBlurGpu = gpuEffect({
  effect: 'gaussian-blur',
  kernels: [BLUR_KERNEL],
  create: (gpu) => {
    const passes = new BlurPasses(gpu, 'Triad.gaussianBlur');
    return {
      encode(io, p: { radius: number }) {
        if (p.radius === 0) encodeCopy(io);
        else passes.encode(io.encoder, io.input, io.output, p.radius, io.pool);
      },
      destroy: () => passes.destroy(),
    };
  },
});
