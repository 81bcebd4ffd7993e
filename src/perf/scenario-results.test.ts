import { describe, expect, it } from 'vitest';
import { STRATEGIES, type CompareCell, type CompareRow, type PlanChange } from './report';
import { predictionsOf, resultsOf, type MeasuredRepeat } from './scenario-results';

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

describe('resultsOf', () => {
  const timedCell = (rate: number, changes: PlanChange[], chainsSet: number): CompareCell => ({
    rate,
    count: 3,
    ms: 3000 / rate,
    intervals: [300, 310, 320],
    planChanges: changes,
    chainsSet,
    warmup: { frames: 2, ms: 700, intervals: [400, 300], planChanges: [], chainsSet: 1, timing },
    timing: { ...timing, windows: 2 },
  });
  const timing = {
    windows: 1,
    restarts: { plan: 1, interrupted: 1, pause: 0, slowdown: 0, forgotten: 0 },
  };
  const row = (cell: CompareCell): MeasuredRepeat => ({
    scenario: 'video',
    unit: 'fps',
    cells: Object.fromEntries(STRATEGIES.map((s) => [s, cell])) as CompareRow['cells'],
  });

  it('keeps per repeat the timed intervals, the plan changes of warm-up and timed frames, and the chains set', () => {
    const move = { stage: 'blur (stage 2)', from: 'gpu', to: 'cpu', reason: 'predicted +20%' };
    const [gpuOnly] = resultsOf({
      inFlight: 2,
      repeats: [row(timedCell(3, [], 0)), row(timedCell(3.2, [move], 1))],
    });
    expect(gpuOnly.timedIntervalsMsByRepeat).toEqual([
      [300, 310, 320],
      [300, 310, 320],
    ]);
    expect(gpuOnly.planChangesTimedByRepeat).toEqual([[], [move]]);
    expect(gpuOnly.warmupPlanChangesByRepeat).toEqual([[], []]);
    expect(gpuOnly.planTimingByRepeat).toEqual([
      { warmup: timing, timed: { ...timing, windows: 2 } },
      { warmup: timing, timed: { ...timing, windows: 2 } },
    ]);
    expect(gpuOnly.chainsSetByRepeat).toEqual([
      { warmup: 1, timed: 0 },
      { warmup: 1, timed: 1 },
    ]);
  });
});
