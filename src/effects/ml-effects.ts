import type { MlEffectDefinition } from './effect';

/** AI effects on the person-segmentation model (the runner is src/ml/effects/runner.ts). */
export const ML_EFFECTS: readonly MlEffectDefinition[] = [
  {
    kind: 'ml',
    id: 'show-mask',
    name: 'Show mask (AI)',
    description: 'The person mask from the segmentation model: white is person.',
    category: 'ai',
    params: {},
    model: 'selfie-segmentation',
  },
  {
    kind: 'ml',
    id: 'background-blur',
    name: 'Background blur (AI)',
    description: 'Blurs everything but the person, using a segmentation model.',
    category: 'ai',
    params: {
      radius: {
        kind: 'number',
        label: 'Blur radius',
        min: 1,
        max: 64,
        step: 1,
        default: 12,
        unit: 'px',
      },
    },
    model: 'selfie-segmentation',
  },
];
