import { describe, expect, it } from 'vitest';
import { predictionsOf } from './scenario-results';

const cell = (name: string, byRepeat: (number | null)[], spread = 0.05) => ({
  case: `video / ${name}`,
  strategy: name,
  inFlight: 2,
  spread,
  predictedOverMeasuredByRepeat: byRepeat,
  predictedBasis: byRepeat.map(() => 'measured'),
});

describe('predictionsOf', () => {
  it('counts the predictions within 15% and names each miss with its cell and spread', () => {
    const summary = predictionsOf([
      cell('gpu-only', [0.9, 1.21], 0.2),
      cell('auto', [1.0, null]),
      { case: 'video: Auto / best fixed', autoOverBestFixed: 0.98 },
      cell('cpu+gpu+accelerator', [0.84, 1.15]),
    ])!;
    expect(summary).toMatchObject({ case: 'predictions', n: 5, within: 3 });
    expect(summary.misses).toEqual([
      {
        case: 'video / gpu-only',
        inFlight: 2,
        nth: 2,
        predictedOverMeasured: 1.21,
        basis: 'measured',
        spread: 0.2,
      },
      {
        case: 'video / cpu+gpu+accelerator',
        inFlight: 2,
        nth: 1,
        predictedOverMeasured: 0.84,
        basis: 'measured',
        spread: 0.05,
      },
    ]);
    expect(summary.median).toBe(1);
  });

  it('is null for a run that predicted nothing (a batch)', () => {
    expect(predictionsOf([{ case: 'batch / auto', predictedOverMeasuredByRepeat: [] }])).toBeNull();
  });
});
