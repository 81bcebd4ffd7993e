import type { StageInfo, TargetInfo } from './types';

/** Cost estimates a plan is made from (measured, or the simulator's truth for the oracle). */
export interface CostModel {
  /** ms for one frame of `stage` on `target`; undefined when unknown or not implemented. */
  compute(stage: number, target: string): number | undefined;
  /** ms to move one frame between two locations (0 for the same place). */
  transfer(from: string, to: string): number;
}

export interface Problem {
  stages: readonly StageInfo[];
  targets: readonly TargetInfo[];
  /** Where frames start and must end (e.g. 'gpu' for a canvas). */
  source: string;
  sink: string;
}

/** Each stage's targets with the share of frames each gets (shares sum to 1). */
export type Shares = { target: string; share: number }[];

export interface Plan {
  stages: Shares[];
  /** Predicted steady-state time per frame (the busiest resource's load), ms. */
  period: number;
  /** Busy fraction per resource (devices and links) at that period. */
  utilization: Record<string, number>;
}

const linkOf = (from: string, to: string) => `link:${from}>${to}`;

/**
 * Steady-state load per resource for one frame: each device carries its stages' compute (times
 * their shares), each link the transfers between consecutive stages' locations. With several
 * frames in flight, the frame period is the largest load.
 */
export function loads(
  problem: Problem,
  costs: CostModel,
  stages: Shares[],
): Map<string, number> | null {
  const byId = new Map(problem.targets.map((t) => [t.id, t]));
  const load = new Map<string, number>();
  const add = (key: string, v: number) => load.set(key, (load.get(key) ?? 0) + v);
  let previous: { location: string; share: number }[] = [{ location: problem.source, share: 1 }];
  for (let s = 0; s < stages.length; s++) {
    const here: { location: string; share: number }[] = [];
    for (const { target, share } of stages[s]) {
      if (share <= 0) continue;
      const info = byId.get(target);
      const c = costs.compute(s, target);
      if (!info || c === undefined) return null;
      add(info.device, share * c);
      here.push({ location: info.location, share });
    }
    for (const a of previous)
      for (const b of here)
        if (a.location !== b.location)
          add(
            linkOf(a.location, b.location),
            a.share * b.share * costs.transfer(a.location, b.location),
          );
    previous = here;
  }
  for (const a of previous)
    if (a.location !== problem.sink)
      add(linkOf(a.location, problem.sink), a.share * costs.transfer(a.location, problem.sink));
  return load;
}

function evaluate(problem: Problem, costs: CostModel, stages: Shares[]): Plan | null {
  const load = loads(problem, costs, stages);
  if (!load) return null;
  const period = Math.max(1e-9, ...load.values());
  const utilization: Record<string, number> = {};
  for (const [k, v] of load) utilization[k] = v / period;
  return { stages, period, utilization };
}

const single = (targets: string[]): Shares[] =>
  targets.map((target) => ({ target, share: 1 }) as const).map((x) => [x]);

/** Candidate targets per stage: implemented, allowed, and with a cost estimate. */
function candidates(
  problem: Problem,
  costs: CostModel,
  allowed: (t: string) => boolean,
): string[][] {
  return problem.stages.map((stage, s) =>
    stage.targets.filter((t) => allowed(t) && costs.compute(s, t) !== undefined),
  );
}

const EXHAUSTIVE_LIMIT = 200_000;

/** The best single target per stage: exhaustive when small, local search otherwise. */
export function bestStatic(
  problem: Problem,
  costs: CostModel,
  allowed: (t: string) => boolean = () => true,
): Plan | null {
  return topStatic(problem, costs, allowed, 1)[0] ?? null;
}

/** The `keep` best static assignments (just the local optimum when the space is too large). */
export function topStatic(
  problem: Problem,
  costs: CostModel,
  allowed: (t: string) => boolean,
  keep: number,
): Plan[] {
  const options = candidates(problem, costs, allowed);
  if (options.some((o) => o.length === 0)) return [];
  const combos = options.reduce((n, o) => n * o.length, 1);
  if (combos <= EXHAUSTIVE_LIMIT) {
    const top: Plan[] = [];
    const pick = new Array(options.length).fill(0);
    for (let i = 0; i < combos; i++) {
      const plan = evaluate(problem, costs, single(pick.map((p, s) => options[s][p])));
      if (plan && (top.length < keep || plan.period < top[top.length - 1].period)) {
        top.push(plan);
        top.sort((a, b) => a.period - b.period);
        if (top.length > keep) top.pop();
      }
      for (let s = 0; s < pick.length; s++) {
        if (++pick[s] < options[s].length) break;
        pick[s] = 0;
      }
    }
    return top;
  }
  // Local search: start from each stage's fastest target, then move single stages while it helps.
  const cost = (s: number, t: string) => costs.compute(s, t) ?? Infinity;
  let current = options.map((o, s) => o.reduce((a, b) => (cost(s, a) <= cost(s, b) ? a : b)));
  let best = evaluate(problem, costs, single(current));
  for (let improved = true; improved && best;) {
    improved = false;
    for (let s = 0; s < options.length; s++) {
      for (const t of options[s]) {
        if (t === current[s]) continue;
        const trial = current.slice();
        trial[s] = t;
        const plan = evaluate(problem, costs, single(trial));
        if (plan && plan.period < best!.period - 1e-9) {
          best = plan;
          current = trial;
          improved = true;
        }
      }
    }
  }
  return best ? [best] : [];
}

/**
 * Improves a plan by spreading one stage over two targets on alternate frames: for each stage
 * on the bottleneck resource, each other target, the share that minimizes the period (the period
 * is convex in the share, so a ternary search finds it).
 */
export function splitBottleneck(
  problem: Problem,
  costs: CostModel,
  plan: Plan,
  allowed: (t: string) => boolean = () => true,
): Plan {
  const byId = new Map(problem.targets.map((t) => [t.id, t]));
  const bottleneck = Object.entries(plan.utilization).find(([, u]) => u >= 1 - 1e-9)?.[0];
  let best = plan;
  for (let s = 0; s < plan.stages.length; s++) {
    if (plan.stages[s].length !== 1) continue;
    const current = plan.stages[s][0].target;
    const device = byId.get(current)?.device;
    if (bottleneck && !bottleneck.startsWith('link:') && device !== bottleneck) continue;
    for (const other of problem.stages[s].targets) {
      if (other === current || !allowed(other) || costs.compute(s, other) === undefined) continue;
      const at = (f: number) => {
        const stages = plan.stages.slice();
        stages[s] = [
          { target: current, share: 1 - f },
          { target: other, share: f },
        ];
        return evaluate(problem, costs, stages);
      };
      let lo = 0;
      let hi = 1;
      for (let i = 0; i < 40; i++) {
        const m1 = lo + (hi - lo) / 3;
        const m2 = hi - (hi - lo) / 3;
        if ((at(m1)?.period ?? Infinity) <= (at(m2)?.period ?? Infinity)) hi = m2;
        else lo = m1;
      }
      const f = (lo + hi) / 2;
      const candidate = at(f);
      if (candidate && f > 0.01 && f < 0.99 && candidate.period < best.period - 1e-9)
        best = candidate;
    }
  }
  return best;
}

/** Near-ties between static assignments are common: the best few are each tried for a split. */
const SPLIT_CANDIDATES = 8;

/** The best plan: the best few static assignments, each with its best bottleneck split. */
export function bestPlan(
  problem: Problem,
  costs: CostModel,
  allowed: (t: string) => boolean = () => true,
): Plan | null {
  let best: Plan | null = null;
  for (const plan of topStatic(problem, costs, allowed, SPLIT_CANDIDATES)) {
    const split = splitBottleneck(problem, costs, plan, allowed);
    if (!best || split.period < best.period - 1e-9) best = split;
  }
  return best;
}

/** Re-evaluates an existing plan's period under (new) costs; null if it is no longer feasible. */
export function periodOf(problem: Problem, costs: CostModel, stages: Shares[]): number | null {
  return evaluate(problem, costs, stages)?.period ?? null;
}
