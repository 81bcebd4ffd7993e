import { defineEffect } from '../effect';
import { MAX_BLUR_RADIUS, blurCpu } from './blur';

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
});
