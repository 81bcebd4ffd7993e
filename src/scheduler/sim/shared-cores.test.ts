// Devices that share cores without the scheduler knowing (sim/scenarios.ts `sharedCores`): the
// model alone prefers splits that run slower; Auto's trial of close plans must not.
import { describe, expect, it } from 'vitest';
import type { Strategy } from '../types';
import { runScheduler } from './harness';
import { sharedCores } from './scenarios';
import { SHARED_CORES } from './shared-cores';
import { planKey } from '../trial';

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

describe('a plan Auto runs again though it need not', () => {
  const OPTIONAL = ['measuring again', 'only the model prefers'];
  /** The frame each optional trial began at (frames decided with the plan count after it). */
  function optionalTrials(
    p: (typeof CASES)[number],
    noise: number,
    seed: number,
    explore?: number,
  ) {
    const { scheduler, changesAt, plans } = runScheduler(sharedCores(p), {
      inFlight: 2,
      frames: 2000,
      seed,
      events: { noise },
      options: { strategy: 'auto', ...(explore === undefined ? {} : { exploreShare: explore }) },
    });
    // One line per stage a change moves; `planChanges` counts changes after the first plan,
    // not a trial's steps from one plan to the next.
    const changes = scheduler.changes.filter(
      (c, i, all) =>
        (i === 0 || c.at !== all[i - 1].at || c.reason !== all[i - 1].reason) &&
        !c.reason.startsWith('first plan') &&
        c.reason !== 'measuring the next plan',
    );
    expect(scheduler.changes.length).toBeLessThan(50); // the log kept every change
    expect(changes.length).toBe(scheduler.planChanges);
    // (A change after the last frame was decided: at the end.)
    const frameOf = (k: number) => {
      const f = changesAt.findIndex((n) => n >= k);
      return f < 0 ? changesAt.length : f;
    };
    return changes.flatMap((e, k) => {
      if (!OPTIONAL.some((o) => e.reason.includes(o))) return [];
      const frame = frameOf(k + 1);
      const plan = plans[frame];
      return [{ frame, plan: plan && planKey(plan), again: e.reason.includes('a plan that') }];
    });
  }
  const RUNS = CASES.flatMap((p) =>
    [0.05, 0.2].flatMap((noise) => [1, 2].map((seed) => ({ p, noise, seed }))),
  );

  it('waits at least 100 frames between two such trials (about 1% of the frames on a slower plan)', () => {
    let trials = 0;
    for (const { p, noise, seed } of RUNS) {
      const at = optionalTrials(p, noise, seed).map((x) => x.frame);
      trials += at.length;
      const gaps = at.slice(1).map((f, i) => f - at[i]);
      expect(
        Math.min(Infinity, ...gaps),
        `${JSON.stringify(p)} noise ${noise} seed ${seed}: ${at}`,
      ).toBeGreaterThanOrEqual(100);
    }
    expect(trials).toBeGreaterThan(0); // the cases do run such trials
  }, 30_000);

  it('runs none while exploration is off (Compare’s timed frames)', () => {
    for (const { p, noise, seed } of RUNS) expect(optionalTrials(p, noise, seed, 0)).toEqual([]);
  }, 30_000);
});
