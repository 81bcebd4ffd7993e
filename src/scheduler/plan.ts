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
  /**
   * How many frames the executor has in flight at most (default: unbounded). Unbounded, the
   * busiest resource sets the pace; one at a time, every resource's time adds up. In between,
   * the period is the larger of the busiest load and the sum over the frames in flight (a frame
   * takes at least the sum of its stages, and only so many overlap).
   */
  inFlight?: number;
}

/** The time per frame for these per-resource loads with `inFlight` frames overlapping. */
export function periodFor(maxLoad: number, sumLoad: number, inFlight = Infinity): number {
  return Math.max(1e-9, maxLoad, sumLoad / Math.max(1, inFlight));
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
  const values = [...load.values()];
  const period = periodFor(
    Math.max(0, ...values),
    values.reduce((a, b) => a + b, 0),
    problem.inFlight,
  );
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

/** Larger search spaces use local search (decisions must stay well under a millisecond). */
const EXHAUSTIVE_LIMIT = 20_000;

/** The best single target per stage: exhaustive when small, local search otherwise. */
export function bestStatic(
  problem: Problem,
  costs: CostModel,
  allowed: (t: string) => boolean = () => true,
): Plan | null {
  return topStatic(problem, costs, allowed, 1)[0] ?? null;
}

/**
 * A fast period function for static assignments (one target per stage), with no allocation per
 * call: the search below evaluates many thousands of them per re-plan.
 */
function staticPeriod(
  problem: Problem,
  costs: CostModel,
  options: string[][],
): (pick: number[]) => number {
  const byId = new Map(problem.targets.map((t) => [t.id, t]));
  const locations = [
    ...new Set([problem.source, problem.sink, ...problem.targets.map((t) => t.location)]),
  ];
  const devices = [...new Set(problem.targets.map((t) => t.device))];
  const L = locations.length;
  // Resources: devices first, then one link per ordered pair of locations.
  const load = new Float64Array(devices.length + L * L);
  const transfer = new Float64Array(L * L);
  for (let a = 0; a < L; a++)
    for (let b = 0; b < L; b++)
      transfer[a * L + b] = a === b ? 0 : costs.transfer(locations[a], locations[b]);
  const opt = options.map((targets, s) =>
    targets.map((t) => ({
      device: devices.indexOf(byId.get(t)!.device),
      location: locations.indexOf(byId.get(t)!.location),
      cost: costs.compute(s, t)!,
    })),
  );
  const source = locations.indexOf(problem.source);
  const sink = locations.indexOf(problem.sink);
  const D = devices.length;
  return (pick) => {
    load.fill(0);
    let here = source;
    for (let s = 0; s < pick.length; s++) {
      const o = opt[s][pick[s]];
      load[o.device] += o.cost;
      if (o.location !== here) load[D + here * L + o.location] += transfer[here * L + o.location];
      here = o.location;
    }
    if (here !== sink) load[D + here * L + sink] += transfer[here * L + sink];
    let max = 1e-9;
    let sum = 0;
    for (let i = 0; i < load.length; i++) {
      sum += load[i];
      if (load[i] > max) max = load[i];
    }
    return periodFor(max, sum, problem.inFlight);
  };
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
  const period = staticPeriod(problem, costs, options);
  const toPlan = (pick: number[]) =>
    evaluate(problem, costs, single(pick.map((p, s) => options[s][p])));
  const combos = options.reduce((n, o) => n * o.length, 1);
  if (combos <= EXHAUSTIVE_LIMIT) {
    const top: { period: number; pick: number[] }[] = [];
    const pick = new Array(options.length).fill(0);
    for (let i = 0; i < combos; i++) {
      const p = period(pick);
      if (top.length < keep || p < top[top.length - 1].period) {
        top.push({ period: p, pick: pick.slice() });
        top.sort((a, b) => a.period - b.period);
        if (top.length > keep) top.pop();
      }
      for (let s = 0; s < pick.length; s++) {
        if (++pick[s] < options[s].length) break;
        pick[s] = 0;
      }
    }
    return top.map((t) => toPlan(t.pick)).filter((p): p is Plan => p !== null);
  }
  // Local search: start from each stage's fastest target, then move single stages while it helps.
  const pick = options.map((o, s) =>
    o.reduce((best, t, i) => (costs.compute(s, t)! < costs.compute(s, o[best])! ? i : best), 0),
  );
  let best = period(pick);
  for (let improved = true; improved;) {
    improved = false;
    for (let s = 0; s < options.length; s++) {
      const keepIndex = pick[s];
      for (let i = 0; i < options[s].length; i++) {
        if (i === keepIndex) continue;
        pick[s] = i;
        const p = period(pick);
        if (p < best - 1e-9) {
          best = p;
          improved = true;
          break;
        }
        pick[s] = keepIndex;
      }
    }
  }
  const plan = toPlan(pick);
  return plan ? [plan] : [];
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
  // One frame at a time, a split stage costs the share-weighted mean: never less than the best
  // of the two targets alone.
  if ((problem.inFlight ?? Infinity) <= 1) return plan;
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
      // Sharing frames between two targets of one device cannot relieve that device.
      if (byId.get(other)?.device === device) continue;
      const at = (f: number) => {
        const stages = plan.stages.slice();
        stages[s] = [
          { target: current, share: 1 - f },
          { target: other, share: f },
        ];
        return stages;
      };
      // Every resource's load is linear in the share f (only this stage is split), so two
      // evaluations give the lines, and the period (the largest line, or their sum over the
      // frames in flight) is searched without allocating.
      const l0 = loads(problem, costs, at(0));
      const l1 = loads(problem, costs, at(1));
      if (!l0 || !l1) continue;
      const keys = [...new Set([...l0.keys(), ...l1.keys()])];
      const a = keys.map((k) => l0.get(k) ?? 0);
      const b = keys.map((k, i) => (l1.get(k) ?? 0) - a[i]);
      const periodAt = (f: number) => {
        let max = 0;
        let sum = 0;
        for (let i = 0; i < a.length; i++) {
          const v = a[i] + f * b[i];
          sum += v;
          max = Math.max(max, v);
        }
        return periodFor(max, sum, problem.inFlight);
      };
      let lo = 0;
      let hi = 1;
      for (let i = 0; i < 40; i++) {
        const m1 = lo + (hi - lo) / 3;
        const m2 = hi - (hi - lo) / 3;
        if (periodAt(m1) <= periodAt(m2)) hi = m2;
        else lo = m1;
      }
      const f = (lo + hi) / 2;
      if (!(f > 0.01 && f < 0.99) || periodAt(f) >= best.period - 1e-9) continue;
      const candidate = evaluate(problem, costs, at(f));
      if (candidate && f > 0.01 && f < 0.99 && candidate.period < best.period - 1e-9)
        best = candidate;
    }
  }
  return best;
}

/** Near-ties between static assignments are common: the best few are each tried for a split. */
const SPLIT_CANDIDATES = 4;

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
