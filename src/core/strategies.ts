/** How the scheduler may place stages: the targets each strategy allows (see the scheduler). */
export type Strategy = 'gpu-only' | 'gpu+accelerator' | 'cpu+gpu+accelerator' | 'auto';

/** In the order the UI and compare mode show them. */
export const STRATEGIES: readonly Strategy[] = [
  'gpu-only',
  'gpu+accelerator',
  'cpu+gpu+accelerator',
  'auto',
];

export const STRATEGY_LABELS: Record<Strategy, string> = {
  'gpu-only': 'GPU only',
  'gpu+accelerator': 'GPU + accelerator',
  'cpu+gpu+accelerator': 'CPU + GPU + accelerator',
  auto: 'Auto',
};
