import { planFor, type Plan } from '../planner';
import type { CostModel, Problem } from '../problem';
import type { Decider, Scenario } from './simulator';

export function problemOf(scenario: Scenario): Problem {
  return {
    stages: scenario.stages,
    targets: scenario.targets,
    source: scenario.source,
    sink: scenario.sink,
  };
}

/** The scenario's true service times as a cost model (what the oracle knows and Auto must learn). */
export function trueCosts(scenario: Scenario): CostModel {
  return {
    compute: (s, target) => {
      const stage = scenario.stages[s];
      return stage.targets.includes(target) ? scenario.cost[stage.kind]?.[target] : undefined;
    },
    transfer: (from, to) => (from === to ? 0 : (scenario.transfer[`${from}>${to}`] ?? Infinity)),
  };
}

/**
 * The oracle: the planner on the true costs (what Auto would plan if it knew the machine),
 * at `inFlight` frames in flight. `allowed` restricts the targets, `splits` as for Auto.
 */
export function oraclePlan(
  scenario: Scenario,
  inFlight: number,
  allowed: (t: string) => boolean = () => true,
  splits = true,
): Plan | null {
  return planFor(problemOf(scenario), trueCosts(scenario), { inFlight, allowed, splits });
}

/** Runs a fixed plan's cycle, frame after frame. Learns nothing. */
export class PlanDecider implements Decider {
  readonly #cycle: string[][];

  constructor(plan: Pick<Plan, 'cycle'>) {
    this.#cycle = plan.cycle;
  }

  decide(frame: number): string[] {
    return this.#cycle[frame % this.#cycle.length].slice();
  }

  report(): void {}
  reportTransfer(): void {}
  reportFailure(): void {}
  failover(): string {
    throw new Error('a fixed plan has no failover');
  }
}
