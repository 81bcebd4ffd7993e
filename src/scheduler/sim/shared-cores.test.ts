// Devices that share cores without the scheduler knowing (sim/scenarios.ts `sharedCores`): the
// model alone prefers splits that run slower; Auto's trial of close plans must not.
import { describe, expect, it } from 'vitest';
import type { Strategy } from '../types';
import { runScheduler } from './harness';
import { sharedCores } from './scenarios';
import { SHARED_CORES } from './shared-cores';

const MEASURE_FROM = 200;
const FIXED: Strategy[] = ['gpu+accelerator', 'cpu+gpu+accelerator'];
const CASES = SHARED_CORES;

function fps(params: (typeof CASES)[number], strategy: Strategy, trialFrames?: number) {
  const { result, scheduler } = runScheduler(sharedCores(params), {
    inFlight: 2,
    frames: 400,
    options: { strategy, ...(trialFrames === undefined ? {} : { trialFrames }) },
  });
  expect(result.dropped).toEqual([]);
  return { fps: result.fps(MEASURE_FROM), scheduler };
}

describe('cores shared without the scheduler knowing, at two frames in flight', () => {
  it('the model alone loses to a fixed strategy (the trap is real)', () => {
    const ratios = CASES.map((p) => {
      const fixed = Math.max(...FIXED.map((s) => fps(p, s).fps));
      return fps(p, 'auto', 0).fps / fixed;
    });
    expect(Math.min(...ratios)).toBeLessThan(0.8);
    expect(ratios.filter((r) => r < 0.95).length).toBeGreaterThanOrEqual(4);
  });

  it('the panel log says when Auto is timing plans', () => {
    const { scheduler } = fps(CASES[1], 'auto');
    const reasons = scheduler.changes.map((c) => c.reason);
    expect(reasons).toContain(
      'first plan, after calibration: measuring 2 plans the model cannot tell apart',
    );
    expect(reasons).toContain('measuring the next plan');
  });

  for (const p of CASES)
    it(`Auto, timing the plans it cannot tell apart, keeps ≥ 96% of the best fixed strategy: ${JSON.stringify(p)}`, () => {
      const fixed = Math.max(...FIXED.map((s) => fps(p, s).fps));
      const auto = fps(p, 'auto');
      expect(auto.fps / fixed).toBeGreaterThanOrEqual(0.96);
    });
});

describe('a plan Auto chooses', () => {
  it('runs at least half a timed window before Auto chooses again (no flapping on drifted estimates)', () => {
    for (const p of CASES)
      for (const noise of [0.05, 0.2]) {
        const trialFrames = 8;
        const { changesAt, scheduler } = runScheduler(sharedCores(p), {
          inFlight: 2,
          frames: 400,
          events: { noise },
          options: { strategy: 'auto', trialFrames },
        });
        const starts = changesAt.flatMap((n, f) => (f > 0 && n > changesAt[f - 1] ? [f] : []));
        const gaps = starts.slice(1).map((f, i) => f - starts[i]);
        const log = JSON.stringify(scheduler.changes.map((c) => c.reason));
        expect(
          Math.min(Infinity, ...gaps),
          `${JSON.stringify(p)} noise ${noise}: ${log}`,
        ).toBeGreaterThanOrEqual(trialFrames / 2 + 2);
      }
  });
});
