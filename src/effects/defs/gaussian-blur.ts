import { encodeCopy } from '../../gpu/single-pass-stage';
import { defineEffect } from '../effect';
import { BlurPasses, MAX_BLUR_RADIUS, blurCpu } from './blur-passes';

const params = {
  radius: {
    kind: 'number',
    label: 'Radius',
    min: 0,
    max: MAX_BLUR_RADIUS,
    step: 1,
    default: 8,
    unit: 'px',
  },
} as const;

export const gaussianBlur = defineEffect({
  id: 'gaussian-blur',
  name: 'Gaussian blur',
  description: 'Separable Gaussian blur (σ = radius / 3).',
  category: 'detail',
  params,
  tolerance: 2,
  halo: (p) => p.radius,
  cpu: (src, p) => blurCpu(src, p.radius),
  createGpuStage: (gpu) => {
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
