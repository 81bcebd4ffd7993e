import { bestPlan, bestStatic, type CostModel, type Plan, type Problem } from '../plan';
import { pickWeighted } from '../round-robin';
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
 * The oracle: the best static assignment by exhaustive search over true costs, then the best split
 * of the bottleneck stage. `allowed` restricts the targets (to find the best single device).
 */
export function oraclePlan(
  scenario: Scenario,
  allowed: (t: string) => boolean = () => true,
): Plan | null {
  return bestPlan(problemOf(scenario), trueCosts(scenario), allowed);
}

/** The oracle without splitting: the best static assignment only. */
export function oracleStatic(scenario: Scenario): Plan | null {
  return bestStatic(problemOf(scenario), trueCosts(scenario));
}

/** Runs a fixed plan, spreading split stages by weighted round robin. Learns nothing. */
export class PlanDecider implements Decider {
  readonly #plan: Plan;
  readonly #credits: Map<string, number>[];

  constructor(plan: Plan) {
    this.#plan = plan;
    this.#credits = plan.stages.map(() => new Map());
  }

  decide(): string[] {
    return this.#plan.stages.map((shares, s) => pickWeighted(shares, this.#credits[s]));
  }

  report(): void {}
  reportTransfer(): void {}
  reportFailure(): void {}
  failover(): string {
    throw new Error('a fixed plan has no failover');
  }
}
