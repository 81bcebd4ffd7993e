import { periodBound, staticBound } from './bound';
import { locationPaths, roundToCycle } from './cycle';
import { solveSplit, type SplitLp } from './lp';
import { cycleLoads, frameJobs, pipelinePeriod, type FrameJobs } from './pipeline';
import {
  compile,
  sharesOf,
  targetsOf,
  type Compiled,
  type CostModel,
  type Problem,
  type Shares,
} from './problem';

/**
 * A plan: the frames of a repeating cycle, each an assignment of every stage to a target. A plan
 * without splits is a cycle of one frame; a stage split 3:1 over two targets repeats every four.
 */
export interface Plan {
  /** Per frame of the cycle, the target of each stage. */
  cycle: string[][];
  /** Each stage's share of frames per target (derived from the cycle). */
  stages: Shares[];
  /** Predicted time per frame (ms) at `inFlight`, from the pipeline model. */
  period: number;
  /** The closed-form lower bound on the period (busiest load; sum over frames in flight). */
  bound: number;
  /** The frames in flight the plan was made for. */
  inFlight: number;
  /** Busy fraction per resource (devices and links) at that period. */
  utilization: Record<string, number>;
  /** Mean ms per frame per resource. */
  loads: Record<string, number>;
}

export interface PlanOptions {
  /** Frames in flight in the executor (1 = one at a time). */
  inFlight: number;
  /** The targets the strategy may use (and that are healthy). */
  allowed?: (target: string) => boolean;
  /** Whether stages may be spread over several targets (Auto) or not (the fixed strategies). */
  splits?: boolean;
}

/** Spaces up to this many static assignments are searched exhaustively (by bound, then model). */
const EXHAUSTIVE_LIMIT = 20_000;
/** At most this many static plans are run through the pipeline model per search. */
const STATIC_EVALUATIONS = 48;
/** Cycle lengths the LP's fractional plan is rounded to. */
const CYCLE_LENGTHS = [2, 3, 4, 5, 6, 8, 12];
/** Shares tried when one stage of the best static plan is spread over a second target. */
const TWO_WAY = [
  [1, 2],
  [1, 3],
  [2, 3],
  [1, 4],
  [3, 4],
];
/** A split plan must beat the best static one by this fraction (simpler plans win ties). */
const SPLIT_MARGIN = 0.005;

/** A candidate plan as option indices, scored by the pipeline model. */
interface Scored {
  cycle: number[][];
  period: number;
}

/**
 * Plans by what the engine achieves: candidate plans are scored by the pipeline model (the
 * discrete-event rules of the engine, fed with the cost estimates, transfers and shared devices
 * included) at the frames in flight the executor runs. Candidates: the best static assignments
 * (searched in order of their closed-form bound, which prunes the rest), and with splits, the LP
 * relaxation's fractional plans rounded to short cycles and two-way splits of the best static
 * plan's stages.
 */
export function planFor(problem: Problem, costs: CostModel, options: PlanOptions): Plan | null {
  const c = compile(problem, costs, options.allowed);
  if (!c) return null;
  const k = Math.max(1, options.inFlight);
  const evaluator = new Evaluator(c, k);
  const best = searchStatic(c, k, evaluator);
  if (!best) return null;
  let chosen: Scored = best;
  // One frame at a time a split frame costs the mean of its paths: never below the best path.
  // The LP is a lower bound on every plan's period: where it cannot beat the best static plan
  // by the margin, no split is searched.
  const lp = options.splits && k > 1 ? solveSplit(c, k) : null;
  if (lp && lp.period < best.period * (1 - SPLIT_MARGIN)) {
    const target = () => chosen.period * (chosen === best ? 1 - SPLIT_MARGIN : 1) - 1e-9;
    for (const candidate of splitCandidates(c, k, best.cycle[0], lp)) {
      // A candidate whose bound cannot beat the plan in hand is not run through the model.
      if (evaluator.bound(candidate) >= target()) continue;
      const period = evaluator.period(candidate);
      if (period < target()) chosen = { cycle: candidate, period };
    }
    if (chosen !== best) chosen = improveCycle(c, chosen, evaluator);
  }
  return toPlan(c, chosen, k);
}

/**
 * The frames in flight to run: the best plan at each count from 1 to `max` (a memory budget),
 * and the smallest count within 3% of the fastest, with each count's plan.
 */
export function recommend(
  problem: Problem,
  costs: CostModel,
  options: Omit<PlanOptions, 'inFlight'> & { max: number },
): { inFlight: number; fps: number[]; plans: Plan[] } | null {
  const plans: Plan[] = [];
  for (let n = 1; n <= Math.max(1, options.max); n++) {
    const plan = planFor(problem, costs, { ...options, inFlight: n });
    if (!plan) return null;
    plans.push(plan);
  }
  const fps = plans.map((p) => 1000 / p.period);
  const best = Math.max(...fps);
  return { inFlight: fps.findIndex((f) => f >= 0.97 * best) + 1, fps, plans };
}

/**
 * A plan re-scored under (new) costs, at its own frames in flight or others; null when one of
 * its targets has no estimate now.
 */
export function rescore(
  problem: Problem,
  costs: CostModel,
  plan: Plan,
  inFlight = plan.inFlight,
): Plan | null {
  const c = compile(problem, costs, (t) => plan.cycle.some((frame) => frame.includes(t)));
  if (!c) return null;
  const cycle = indicesOf(c, plan.cycle);
  if (!cycle) return null;
  return toPlan(c, { cycle, period: new Evaluator(c, inFlight).period(cycle) }, inFlight);
}

function indicesOf(c: Compiled, cycle: string[][]): number[][] | null {
  const out: number[][] = [];
  for (const frame of cycle) {
    const pick = frame.map((t, s) => c.options[s].findIndex((o) => o.target === t));
    if (pick.some((i) => i < 0)) return null;
    out.push(pick);
  }
  return out;
}

function toPlan(c: Compiled, scored: Scored, k: number): Plan {
  const jobs = scored.cycle.map((p) => frameJobs(c, p));
  const load = cycleLoads(c.resources.length, jobs);
  const loads: Record<string, number> = {};
  const utilization: Record<string, number> = {};
  let max = 0;
  let sum = 0;
  load.forEach((v, r) => {
    sum += v;
    max = Math.max(max, v);
    if (v <= 0) return;
    loads[c.resources[r]] = v;
    utilization[c.resources[r]] = Math.min(1, v / scored.period);
  });
  return {
    cycle: scored.cycle.map((p) => targetsOf(c, p)),
    stages: sharesOf(c, scored.cycle),
    period: scored.period,
    bound: Math.max(1e-9, max, sum / k),
    inFlight: k,
    utilization,
    loads,
  };
}

/** Scores cycles with the pipeline model, caching static assignments' jobs. */
class Evaluator {
  readonly #c: Compiled;
  readonly #k: number;
  readonly #jobs = new Map<string, FrameJobs>();
  evaluations = 0;

  constructor(c: Compiled, k: number) {
    this.#c = c;
    this.#k = k;
  }

  period(cycle: readonly (readonly number[])[]): number {
    this.evaluations++;
    // A window of frames can run a hair faster than the long-run rate: never below the bound.
    return Math.max(
      pipelinePeriod(this.#c.resources.length, this.#jobsOf(cycle), this.#k),
      this.bound(cycle),
    );
  }

  /** The closed-form lower bound on the cycle's period (cheap: no simulation). */
  bound(cycle: readonly (readonly number[])[]): number {
    const load = cycleLoads(this.#c.resources.length, this.#jobsOf(cycle));
    let max = 0;
    let sum = 0;
    for (const v of load) {
      sum += v;
      if (v > max) max = v;
    }
    return periodBound(max, sum, this.#k);
  }

  #jobsOf(cycle: readonly (readonly number[])[]): FrameJobs[] {
    return cycle.map((pick) => {
      const key = pick.join(',');
      let j = this.#jobs.get(key);
      if (!j) this.#jobs.set(key, (j = frameJobs(this.#c, pick)));
      return j;
    });
  }
}

/**
 * The best static assignment by the pipeline model. Small spaces: every assignment's bound, then
 * the model in bound order until the next bound cannot beat the best found. Large spaces: local
 * search (one stage moved at a time) from the bound's local optimum, moves tried only where their
 * bound could beat the current plan.
 */
function searchStatic(c: Compiled, k: number, evaluator: Evaluator): Scored | null {
  const bound = staticBound(c, k);
  const S = c.options.length;
  const combos = c.options.reduce((n, o) => n * o.length, 1);
  const score = (pick: number[]): Scored => ({ cycle: [pick], period: evaluator.period([pick]) });
  if (combos <= EXHAUSTIVE_LIMIT) {
    const all: { b: number; pick: number[] }[] = [];
    const pick = new Array<number>(S).fill(0);
    for (let i = 0; i < combos; i++) {
      all.push({ b: bound(pick), pick: pick.slice() });
      for (let s = 0; s < S; s++) {
        if (++pick[s] < c.options[s].length) break;
        pick[s] = 0;
      }
    }
    all.sort((a, b) => a.b - b.b);
    let best: Scored | null = null;
    for (let i = 0; i < all.length && i < STATIC_EVALUATIONS; i++) {
      if (best && all[i].b >= best.period - 1e-9) break;
      const scored = score(all[i].pick);
      if (!best || scored.period < best.period - 1e-9) best = scored;
    }
    return best;
  }
  // Local search on the bound first (cheap), from each stage's fastest option.
  const pick = c.options.map((o) => o.reduce((b, x, i) => (x.cost < o[b].cost ? i : b), 0));
  let b0 = bound(pick);
  for (let improved = true; improved;) {
    improved = false;
    for (let s = 0; s < S; s++) {
      const keep = pick[s];
      for (let i = 0; i < c.options[s].length; i++) {
        if (i === keep) continue;
        pick[s] = i;
        const b = bound(pick);
        if (b < b0 - 1e-9) {
          b0 = b;
          improved = true;
          break;
        }
        pick[s] = keep;
      }
    }
  }
  // Then on the pipeline model, within the evaluation budget.
  let best = score(pick.slice());
  for (let improved = true; improved && evaluator.evaluations < STATIC_EVALUATIONS * 4;) {
    improved = false;
    const current = best.cycle[0];
    for (let s = 0; s < S && !improved; s++) {
      for (let i = 0; i < c.options[s].length; i++) {
        if (i === current[s]) continue;
        const next = current.slice();
        next[s] = i;
        if (bound(next) >= best.period - 1e-9) continue;
        const scored = score(next);
        if (scored.period < best.period - 1e-9) {
          best = scored;
          improved = true;
          break;
        }
      }
    }
  }
  return best;
}

/**
 * The share f of frames to move that minimizes the bound, when every resource's load is
 * (1 − f)·a + f·b: the bound is convex in f, so a ternary search finds it.
 */
function bestShare(a: Float64Array, b: Float64Array, k: number): number {
  const at = (f: number) => {
    let max = 0;
    let sum = 0;
    for (let r = 0; r < a.length; r++) {
      const v = (1 - f) * a[r] + f * b[r];
      sum += v;
      if (v > max) max = v;
    }
    return periodBound(max, sum, k);
  };
  let lo = 0;
  let hi = 1;
  for (let n = 0; n < 40; n++) {
    const m1 = lo + (hi - lo) / 3;
    const m2 = hi - (hi - lo) / 3;
    if (at(m1) <= at(m2)) hi = m2;
    else lo = m1;
  }
  return (lo + hi) / 2;
}

/** Evaluations the local search on a split plan's cycle may spend. */
const CYCLE_SEARCH_BUDGET = 160;

/**
 * Local search on a split plan: move one stage of one frame of the cycle to another option while
 * that shortens the period, within a budget of evaluations.
 */
function improveCycle(c: Compiled, start: Scored, evaluator: Evaluator): Scored {
  let best = start;
  let spent = 0;
  for (let improved = true; improved && spent < CYCLE_SEARCH_BUDGET;) {
    improved = false;
    for (let f = 0; f < best.cycle.length && !improved && spent < CYCLE_SEARCH_BUDGET; f++) {
      for (let s = 0; s < c.options.length && !improved && spent < CYCLE_SEARCH_BUDGET; s++) {
        for (let i = 0; i < c.options[s].length && spent < CYCLE_SEARCH_BUDGET; i++) {
          if (i === best.cycle[f][s]) continue;
          const cycle = best.cycle.map((p) => p.slice());
          cycle[f][s] = i;
          if (evaluator.bound(cycle) >= best.period * (1 - 1e-4)) continue;
          spent++;
          const period = evaluator.period(cycle);
          if (period < best.period * (1 - 1e-4)) {
            best = { cycle, period };
            improved = true;
            break;
          }
        }
      }
    }
  }
  return best;
}

/**
 * Split plans to score: the LP relaxation (at these frames in flight, and with frames
 * overlapping freely) rounded to cycles of several lengths, and each stage of the best static
 * plan spread over one other target in a few simple ratios.
 */
function splitCandidates(c: Compiled, k: number, staticPick: number[], atK: SplitLp): number[][][] {
  const out: number[][][] = [];
  for (const inFlight of [k, Infinity]) {
    const lp = inFlight === k ? atK : solveSplit(c, inFlight);
    if (!lp) continue;
    const paths = locationPaths(c, lp);
    if (paths.length === 0) continue;
    for (const length of CYCLE_LENGTHS) out.push(roundToCycle(c, lp, paths, length));
  }
  // Two-way splits only where they can relieve the busiest device: its stages, moved in part
  // to another device, in simple ratios and in the ratio the bound likes best.
  const load0 = cycleLoads(c.resources.length, [frameJobs(c, staticPick)]);
  const busiest = Math.max(...load0);
  for (let s = 0; s < c.options.length; s++) {
    const current = c.options[s][staticPick[s]];
    if (load0[current.device] < 0.8 * busiest) continue;
    for (let i = 0; i < c.options[s].length; i++) {
      if (i === staticPick[s] || c.options[s][i].device === current.device) continue;
      const moved = staticPick.slice();
      moved[s] = i;
      const load1 = cycleLoads(c.resources.length, [frameJobs(c, moved)]);
      const share = bestShare(load0, load1, k);
      const ratios = new Map(TWO_WAY.map(([n, d]) => [`${n}/${d}`, [n, d]]));
      for (let d = 2; d <= 12; d++) {
        const n = Math.round(share * d);
        if (n > 0 && n < d) ratios.set(`${n / d}`, [n, d]);
      }
      for (const [n, d] of ratios.values()) {
        // n of every d frames on option i, spread out.
        out.push(
          Array.from({ length: d }, (_, f) =>
            Math.floor(((f + 1) * n) / d) > Math.floor((f * n) / d) ? moved : staticPick,
          ),
        );
      }
    }
  }
  return out;
}
