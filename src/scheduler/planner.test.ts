import { describe, expect, it } from 'vitest';
import { roundRobin } from './cycle';
import { solveSplit } from './lp';
import { planFor } from './planner';
import { atSource, compile } from './problem';
import { lpBoundFps } from './sim/bound';
import { problemOf, trueCosts } from './sim/oracle';
import { randomScenario } from './sim/random';
import { hiddenReadback, SCENARIOS } from './sim/scenarios';

describe('the planner', () => {
  it('solves the same LP bound as an independent formulation on HiGHS', async () => {
    for (const scenario of [...SCENARIOS, randomScenario(3), randomScenario(8)]) {
      const c = compile(problemOf(scenario), trueCosts(scenario))!;
      for (const k of [1, 2, 4, Infinity]) {
        const ours = 1000 / solveSplit(c, k)!.period;
        expect(ours / (await lpBoundFps(scenario, k)), `${scenario.name} at ${k}`).toBeCloseTo(
          1,
          6,
        );
      }
    }
  });

  it('spreads a round robin: each option gets its share, and a minority is never bunched', () => {
    expect(roundRobin([3, 1], 8).join('')).toBe('00100010');
    const picks = roundRobin([1, 1, 2], 8);
    expect([0, 1, 2].map((i) => picks.filter((p) => p === i).length)).toEqual([2, 2, 4]);
  });

  it('never predicts better than its own bound or the LP, and never uses a target it may not', () => {
    for (const scenario of SCENARIOS) {
      const c = compile(problemOf(scenario), trueCosts(scenario))!;
      for (const k of [1, 2, 4]) {
        const plan = planFor(problemOf(scenario), trueCosts(scenario), {
          inFlight: k,
          splits: true,
        })!;
        expect(plan.period).toBeGreaterThanOrEqual(plan.bound * (1 - 1e-9));
        expect(plan.period).toBeGreaterThanOrEqual(solveSplit(c, k)!.period * (1 - 1e-9));
        const gpuOnly = planFor(problemOf(scenario), trueCosts(scenario), {
          inFlight: k,
          allowed: (t) => t !== 'remote',
          splits: true,
        });
        for (const frame of gpuOnly?.cycle ?? []) expect(frame).not.toContain('remote');
      }
    }
  });

  it('one frame at a time, splits nothing (a split frame costs the mean of its paths)', () => {
    for (const scenario of SCENARIOS) {
      const plan = planFor(problemOf(scenario), trueCosts(scenario), {
        inFlight: 1,
        splits: true,
      })!;
      expect(plan.cycle).toHaveLength(1);
    }
  });

  it('keeps every stage that can run where frames start there, and leaves the rest free (atSource)', () => {
    const scenario = hiddenReadback({ readback: 20, crowding: 0.5, cpu: 0.5 });
    const problem = problemOf(scenario);
    const costs = trueCosts(scenario);
    // The model's best plan puts the effects whose CPU twin is faster on the CPU.
    const free = planFor(problem, costs, { inFlight: 2, allowed: () => true, splits: false })!;
    expect(free.cycle[0]).toContain('cpu');
    const stay = atSource(problem, costs, (t) => t !== 'ort-wasm');
    const plan = planFor(problem, stay, {
      inFlight: 2,
      allowed: (t) => t !== 'ort-wasm',
      splits: false,
    })!;
    // Segmentation has no allowed target on the GPU's side here: it goes where it can.
    expect(plan.cycle[0]).toEqual(['gpu', 'gpu', 'gpu', 'remote', 'gpu']);
    expect(stay.compute(1, 'cpu')).toBeUndefined();
    expect(stay.compute(3, 'remote')).toBe(costs.compute(3, 'remote'));
  });
});
