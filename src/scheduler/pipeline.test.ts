import { describe, expect, it } from 'vitest';
import { compile } from './problem';
import { frameJobs, pipelinePeriod, runPipeline } from './pipeline';
import { problemOf, trueCosts } from './sim/oracle';
import { SCENARIOS } from './sim/scenarios';
import { randomScenario } from './sim/random';
import { SimClock, rng, simulate, type Scenario } from './sim/simulator';

/** Runs a cycle of assignments in the discrete-event simulator, without noise. */
function simulated(scenario: Scenario, cycle: string[][], inFlight: number, frames: number) {
  const decider = {
    decide: (frame: number) => cycle[frame % cycle.length],
    report() {},
    reportTransfer() {},
    reportFailure() {},
    failover(): string {
      throw new Error('no failures here');
    },
  };
  return simulate(scenario, decider, new SimClock(), { frames, inFlight, seed: 1, events: {} });
}

function randomCycle(scenario: Scenario, random: () => number): number[][] {
  const c = compile(problemOf(scenario), trueCosts(scenario))!;
  const length = 1 + Math.floor(random() * 5);
  return Array.from({ length }, () => c.options.map((o) => Math.floor(random() * o.length)));
}

describe('the pipeline model', () => {
  it('shows every frame when the discrete-event simulator does, for random plans at 1, 2 and 4 frames in flight', () => {
    const random = rng(7);
    const scenarios = [
      ...SCENARIOS,
      ...Array.from({ length: 20 }, (_, i) => randomScenario(100 + i)),
    ];
    for (const scenario of scenarios) {
      const c = compile(problemOf(scenario), trueCosts(scenario))!;
      for (const inFlight of [1, 2, 4]) {
        const picks = randomCycle(scenario, random);
        const cycle = picks.map((p) => frameJobs(c, p));
        const targets = picks.map((p) => p.map((o, s) => c.options[s][o].target));
        const frames = 60;
        const expected = simulated(scenario, targets, inFlight, frames).shown;
        const actual = Array.from(runPipeline(c.resources.length, cycle, inFlight, frames));
        expect(actual, `${scenario.name} at ${inFlight}`).toEqual(expected);
      }
    }
  });

  it('gives the period the simulator settles to over 600 frames', () => {
    const random = rng(11);
    for (const scenario of SCENARIOS) {
      const c = compile(problemOf(scenario), trueCosts(scenario))!;
      for (const inFlight of [1, 2, 4]) {
        const picks = randomCycle(scenario, random);
        const period = pipelinePeriod(
          c.resources.length,
          picks.map((p) => frameJobs(c, p)),
          inFlight,
        );
        const targets = picks.map((p) => p.map((o, s) => c.options[s][o].target));
        const fps = simulated(scenario, targets, inFlight, 600).fps(300);
        expect(Math.abs(1000 / period - fps) / fps, scenario.name).toBeLessThan(0.01);
      }
    }
  });

  it("counts a frame's own work once a frame, on a resource of its own", () => {
    const problem = {
      stages: [
        { kind: 'a', targets: ['gpu'] },
        { kind: 'b', targets: ['cpu'] },
      ],
      targets: [
        { id: 'gpu', device: 'gpu', location: 'gpu' },
        { id: 'cpu', device: 'cpu', location: 'cpu' },
      ],
      source: 'gpu',
      sink: 'gpu',
    };
    const costs = {
      compute: (s: number) => [10, 20][s],
      transfer: (a: string, b: string) => (a === b ? 0 : 5),
    };
    const period = (frameMs: number | undefined, inFlight: number) => {
      const c = compile({ ...problem, frameMs }, costs)!;
      return pipelinePeriod(c.resources.length, [frameJobs(c, [0, 0])], inFlight);
    };
    // One at a time: 10 + 5 + 20 + 5 ms of stages and moves, and 8 of the frame's own.
    expect(period(undefined, 1)).toBeCloseTo(40, 6);
    expect(period(8, 1)).toBeCloseTo(48, 6);
    // Overlapping, it runs beside the stages: the busiest device (the CPU, 20 ms) still sets
    // the pace until the frame's own work is the longest job.
    expect(period(8, 4)).toBeCloseTo(20, 6);
    expect(period(30, 4)).toBeCloseTo(30, 6);
  });
});
