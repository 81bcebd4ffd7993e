import { describe, expect, it } from 'vitest';
import { STRATEGIES, type CompareCell, type CompareRow, type PlanChange } from './report';
import type { Strategy } from '../scheduler';
import { countsSince, predictionsOf, resultsOf, type MeasuredRepeat } from './scenario-results';

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

describe('countsSince', () => {
  it('takes counters before from counters now, a key new since counting from 0', () => {
    expect(countsSince({ verify: 2, explore: 1 }, { verify: 5, explore: 1, probe: 1 })).toEqual({
      verify: 3,
      explore: 0,
      probe: 1,
    });
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

  describe('Auto against the best fixed strategy', () => {
    const plan = (target: string) => [{ stage: 'super-resolution-x2', targets: target }];
    const framesCell = (rate: number, target: string): CompareCell => ({
      rate,
      count: 20,
      ms: 20_000 / rate,
      plan: plan(target),
    });
    const repeat = (rates: Record<Strategy, [number, string]>): MeasuredRepeat => ({
      scenario: '3D',
      unit: 'fps',
      cells: Object.fromEntries(
        STRATEGIES.map((s) => [s, framesCell(rates[s][0], rates[s][1])]),
      ) as CompareRow['cells'],
    });
    const versus = (repeats: MeasuredRepeat[]) =>
      resultsOf({ inFlight: 2, repeats }).find(
        (r) => r.metric === 'Auto over the best fixed strategy',
      )!;

    it('pools the fixed strategies that ran Auto’s very plan, beside the larger of them', () => {
      const row = versus([
        repeat({
          'gpu-only': [0.15, 'tfjs-webgpu'],
          'gpu+accelerator': [2.8, 'remote'],
          'cpu+gpu+accelerator': [2.9, 'remote'],
          auto: [2.8, 'remote'],
        }),
        repeat({
          'gpu-only': [0.16, 'tfjs-webgpu'],
          'gpu+accelerator': [2.7, 'remote'],
          'cpu+gpu+accelerator': [3.0, 'remote'],
          auto: [2.9, 'remote'],
        }),
      ]);
      // Best fixed: CPU + GPU + acc. (median 2.95); the plan's four fixed repeats: 2.7–3.0.
      expect(row.bestFixed).toBe('cpu+gpu+accelerator');
      expect(row.autoOverBestFixed).toBeCloseTo(2.85 / 2.95, 6);
      expect(row.missesBy).toBeCloseTo(1 - 2.85 / 2.95, 6);
      expect(row.samePlanAsBestFixed).toBe(true);
      expect(row.samePlanFixed).toEqual(['gpu+accelerator', 'cpu+gpu+accelerator']);
      expect(row.samePlanRepeats).toBe(4);
      expect(row.samePlanRate).toBeCloseTo(2.85, 6);
      expect(row.autoOverSamePlan).toBeCloseTo(1, 6);
      // Misses by 3.4%, within the spread of CPU + GPU + acc.'s own repeats (10%).
      expect(row.verdict).toBe('same plan, within the spread');
    });

    it('says below where Auto ran another plan than the best fixed strategy, and at or above from 1', () => {
      const rates = (auto: number) =>
        repeat({
          'gpu-only': [0.15, 'tfjs-webgpu'],
          'gpu+accelerator': [2.8, 'remote'],
          'cpu+gpu+accelerator': [2.8, 'remote'],
          auto: [auto, 'ort-wasm'],
        });
      const below = versus([rates(2.7)]);
      expect(below.samePlanAsBestFixed).toBe(false);
      expect(below.samePlanFixed).toEqual([]);
      expect(below.samePlanRate).toBeNull();
      expect(below.verdict).toBe('below');
      expect(versus([rates(2.8)]).verdict).toBe('at or above');
    });

    it('compares a batch by its items in flight and slots (it has no stage plan)', () => {
      const batch = (rate: number, slots: Record<string, number>): CompareCell => ({
        rate,
        count: 30,
        ms: 30_000 / rate,
        plan: [],
        inFlight: Object.values(slots).reduce((a, b) => a + b, 0),
        slots,
      });
      const cells = {
        'gpu-only': batch(1, { 'tfjs-webgpu': 1 }),
        'gpu+accelerator': batch(23, { remote: 2 }),
        'cpu+gpu+accelerator': batch(22, { remote: 2 }),
        auto: batch(22.5, { remote: 2 }),
      };
      const [row] = resultsOf({
        inFlight: 2,
        repeats: [{ scenario: 'batch', unit: 'items/s', cells }],
      }).filter((r) => r.metric === 'Auto over the best fixed strategy');
      expect(row.samePlanAsBestFixed).toBe(true);
      expect(row.samePlanFixed).toEqual(['gpu+accelerator', 'cpu+gpu+accelerator']);
      expect(row.samePlanRate).toBe(22.5);
      expect(row.autoOverSamePlan).toBe(1);
    });
  });
});
