import { LatencyModel, sizeBucket } from './latency-model';
import {
  bestPlan,
  loads,
  periodOf,
  type CostModel,
  type Plan,
  type Problem,
  type Shares,
} from './plan';
import { pickWeighted } from './round-robin';
import type { Clock, PlacementChange, StageInfo, Strategy, TargetInfo } from './types';

export type Policy = 'static' | 'earliest-finish' | 'pipelined';

export interface SchedulerOptions {
  strategy: Strategy;
  /** 'auto' always plans pipelined; the named strategies default to earliest-finish. */
  policy?: Policy;
  /** Re-plan every this many frames. */
  replanEvery: number;
  /** A new plan must be predicted this much faster (fraction) to replace the current one. */
  hysteresis: number;
  /** One frame in this many re-measures a target the plan does not use (0: never). */
  exploreEvery: number;
  /** Back-off after a failure: starts at the first value, doubles up to the second (ms). */
  backoffMs: [number, number];
  /** Transfer cost assumed before one is measured (ms). */
  transferPriorMs: number;
  /**
   * How many frames the executor has in flight at most (default: unbounded). Plans minimize the
   * busiest resource's load when frames overlap freely, the sum of all loads at one frame at a
   * time, and the larger of the busiest load and the sum over the frames in flight in between.
   */
  inFlight?: number;
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  strategy: 'auto',
  replanEvery: 10,
  hysteresis: 0.1,
  exploreEvery: 100,
  backoffMs: [1000, 30_000],
  transferPriorMs: 2,
};

interface Health {
  until: number;
  backoff: number;
  reason: string;
}

/** The targets a strategy may use. */
export function strategyAllows(strategy: Strategy, target: TargetInfo): boolean {
  switch (strategy) {
    case 'gpu-only':
      return target.device === 'gpu';
    case 'gpu+accelerator':
      return target.device === 'gpu' || target.accelerator === true;
    default:
      return true;
  }
}

/**
 * Decides where each stage of each frame runs, from measured latency. Pure: no DOM, no timers;
 * time comes from the injected clock, measurements from `report`.
 *
 * - Calibration first: a (stage, target) pair without enough samples gets frames until it has them.
 * - Pipelined (Auto): the plan that minimizes the busiest resource's load per frame (devices shared
 *   by their targets, links for transfers), with the bottleneck stage spread over two targets on
 *   alternate frames when that helps; re-planned every few frames, adopted only past a hysteresis.
 * - Earliest-finish: per frame, each stage on the target that would finish it soonest, counting
 *   the work already given to each device and the transfers.
 * - Static: the user's pin.
 * - Exploration: a small, bounded share of frames re-measures a target the plan does not use.
 * - Failure: a failing target is excluded with exponential back-off, then probed again.
 */
export class Scheduler {
  readonly model: LatencyModel;
  readonly options: SchedulerOptions;
  readonly #clock: Clock;
  readonly #targets: Map<string, TargetInfo>;
  #stages: StageInfo[] = [];
  #bucket = 0;
  #source = 'gpu';
  #sink = 'gpu';
  #plan: Plan | null = null;
  #credits: Map<string, number>[] = [];
  #health = new Map<string, Health>();
  #deviceFree = new Map<string, number>();
  #framesSincePlan = 0;
  planChanges = 0;
  /** The latest placement changes, oldest first (at most `CHANGE_LOG` kept). */
  readonly changes: PlacementChange[] = [];

  constructor(
    clock: Clock,
    targets: TargetInfo[],
    options: Partial<SchedulerOptions> = {},
    model?: LatencyModel,
  ) {
    this.#clock = clock;
    this.#targets = new Map(targets.map((t) => [t.id, t]));
    this.options = { ...DEFAULT_SCHEDULER_OPTIONS, ...options };
    this.model = model ?? new LatencyModel(clock);
  }

  get policy(): Policy {
    return (
      this.options.policy ?? (this.options.strategy === 'auto' ? 'pipelined' : 'earliest-finish')
    );
  }

  get plan(): Plan | null {
    return this.#plan;
  }

  get targets(): TargetInfo[] {
    return [...this.#targets.values()];
  }

  setChain(stages: StageInfo[], pixels: number, source = 'gpu', sink = 'gpu'): void {
    this.#stages = stages;
    this.#bucket = sizeBucket(pixels);
    this.#source = source;
    this.#sink = sink;
    this.#plan = null;
    this.#credits = stages.map(() => new Map());
  }

  /** The executor's frames in flight changed: the next frame is placed by a plan for them. */
  setInFlight(inFlight: number): void {
    if (this.options.inFlight === inFlight) return;
    this.options.inFlight = inFlight;
    this.#framesSincePlan = this.options.replanEvery;
  }

  /** Whether some stage still has a target to measure before the scheduler trusts its model. */
  get calibrating(): boolean {
    return this.#stages.some((_, s) => this.#needsCalibration(s) !== null);
  }

  isHealthy(target: string): boolean {
    const h = this.#health.get(target);
    return !h || this.#clock() >= h.until;
  }

  allowed(target: string): boolean {
    const info = this.#targets.get(target);
    return !!info && strategyAllows(this.options.strategy, info) && this.isHealthy(target);
  }

  #computeKey(s: number, target: string): string {
    return LatencyModel.computeKey(this.#stages[s].kind, target, this.#bucket);
  }

  readonly costs: CostModel = {
    compute: (s, target) => this.model.estimate(this.#computeKey(s, target))?.mean,
    transfer: (from, to) => {
      if (from === to) return 0;
      return (
        this.model.estimate(LatencyModel.transferKey(from, to, this.#bucket))?.mean ??
        this.options.transferPriorMs
      );
    },
  };

  #problem(inFlight = this.options.inFlight ?? Infinity): Problem {
    return {
      stages: this.#stages,
      targets: [...this.#targets.values()],
      source: this.#source,
      sink: this.#sink,
      inFlight,
    };
  }

  #candidates(s: number): string[] {
    return this.#stages[s].targets.filter((t) => this.allowed(t));
  }

  /** A candidate that still needs calibration samples, fewest first. */
  #needsCalibration(s: number): string | null {
    let best: string | null = null;
    let fewest = Infinity;
    for (const t of this.#candidates(s)) {
      const e = this.model.estimate(this.#computeKey(s, t));
      // The first run is kept apart, so an unmeasured pair needs one more run than `calibration`.
      const count = e ? e.count : -1;
      if (count < this.model.options.calibration && count < fewest) {
        fewest = count;
        best = t;
      }
    }
    return best;
  }

  #replan(): void {
    const allowed = (t: string) => this.allowed(t);
    const next = bestPlan(this.#problem(), this.costs, allowed);
    this.#framesSincePlan = 0;
    if (!next) return;
    const current = this.#plan;
    const stillValid =
      current && current.stages.every((shares) => shares.every((x) => this.allowed(x.target)));
    const currentPeriod = stillValid
      ? periodOf(this.#problem(), this.costs, current!.stages)
      : null;
    if (currentPeriod === null || next.period < currentPeriod * (1 - this.options.hysteresis)) {
      if (current) this.planChanges++;
      this.#logChanges(current, next, currentPeriod);
      this.#plan = next;
      this.#credits = this.#stages.map(() => new Map());
    } else {
      this.#plan = { ...current!, period: currentPeriod };
    }
  }

  /** Records each stage whose targets differ between two plans, with the reason. */
  #logChanges(current: Plan | null, next: Plan, currentPeriod: number | null): void {
    let reason: string;
    if (!current) reason = 'first plan, after calibration';
    else if (currentPeriod === null) {
      const lost = [...new Set(current.stages.flat().map((x) => x.target))].filter(
        (t) => !this.allowed(t),
      );
      const why = lost.map((t) => this.#health.get(t)?.reason).find((r) => r);
      reason = `${lost.join(', ')} unavailable${why ? ` (${why})` : ''}`;
    } else {
      const gain = Math.round((currentPeriod / next.period - 1) * 100);
      // The old plan's bottleneck on what is measured now (its own figures are from when it was
      // made).
      const load = loads(this.#problem(), this.costs, current.stages);
      const [busiest, ms] = [...(load ?? [])].reduce((a, b) => (b[1] > a[1] ? b : a), ['', -1]);
      reason = `predicted +${gain}%${busiest ? ` (bottleneck was ${busiest}, ${ms.toFixed(1)} ms a frame)` : ''}`;
    }
    next.stages.forEach((shares, s) => {
      const from = current ? describeShares(current.stages[s]) : '—';
      const to = describeShares(shares);
      if (from === to) return;
      this.#log({ stage: s, kind: this.#stages[s].kind, from, to, reason });
    });
  }

  #log(change: Omit<PlacementChange, 'at'>): void {
    this.changes.push({ at: this.#clock(), ...change });
    if (this.changes.length > CHANGE_LOG) this.changes.splice(0, this.changes.length - CHANGE_LOG);
  }

  /** The target for every stage of `frame`. */
  decide(frame: number): string[] {
    if (this.#stages.length === 0) return [];
    // Calibrate first.
    const calibrating = this.#stages.map((_, s) => this.#needsCalibration(s));
    if (this.policy !== 'static' && calibrating.some((t) => t !== null)) {
      return this.#stages.map((_, s) => calibrating[s] ?? this.#fastest(s));
    }
    let targets: string[];
    if (this.policy === 'static') {
      targets = this.#stages.map((stage, s) =>
        stage.pinned && this.allowed(stage.pinned) ? stage.pinned : this.#fastest(s),
      );
    } else if (this.policy === 'earliest-finish') {
      targets = this.#earliestFinish();
    } else {
      if (
        !this.#plan ||
        ++this.#framesSincePlan >= this.options.replanEvery ||
        !this.#planHealthy()
      )
        this.#replan();
      targets = this.#plan
        ? this.#plan.stages.map((shares, s) => pickWeighted(shares, this.#credits[s]))
        : this.#stages.map((_, s) => this.#fastest(s));
    }
    const every = this.options.exploreEvery;
    if (every > 0 && frame % every === every - 1) this.#explore(targets);
    return targets;
  }

  #planHealthy(): boolean {
    return (
      !!this.#plan &&
      this.#plan.stages.every((shares) => shares.every((x) => this.allowed(x.target)))
    );
  }

  /** The stage's fastest allowed target by estimate (or any allowed one). */
  #fastest(s: number): string {
    const options = this.#candidates(s);
    if (options.length === 0)
      throw new Error(`no available target implements stage ${s} (${this.#stages[s].kind})`);
    return options.reduce((a, b) =>
      (this.costs.compute(s, a) ?? Infinity) <= (this.costs.compute(s, b) ?? Infinity) ? a : b,
    );
  }

  /** Per frame: each stage where it would finish soonest, given the devices' queued work. */
  #earliestFinish(): string[] {
    const now = this.#clock();
    let ready = now;
    let location = this.#source;
    const out: string[] = [];
    for (let s = 0; s < this.#stages.length; s++) {
      let best: { target: string; finish: number } | null = null;
      for (const t of this.#candidates(s)) {
        const info = this.#targets.get(t)!;
        const c = this.costs.compute(s, t) ?? Infinity;
        const start = Math.max(
          ready + this.costs.transfer(location, info.location),
          this.#deviceFree.get(info.device) ?? now,
        );
        if (!best || start + c < best.finish) best = { target: t, finish: start + c };
      }
      if (!best)
        throw new Error(`no available target implements stage ${s} (${this.#stages[s].kind})`);
      const info = this.#targets.get(best.target)!;
      this.#deviceFree.set(info.device, best.finish);
      ready = best.finish;
      location = info.location;
      out.push(best.target);
    }
    return out;
  }

  /** Sends one stage of this frame to the candidate measured longest ago that the plan skips. */
  #explore(targets: string[]): void {
    let oldest: { s: number; target: string; at: number } | null = null;
    for (let s = 0; s < this.#stages.length; s++) {
      for (const t of this.#candidates(s)) {
        if (t === targets[s]) continue;
        const at = this.model.estimate(this.#computeKey(s, t))?.updatedAt ?? -Infinity;
        if (!oldest || at < oldest.at) oldest = { s, target: t, at };
      }
    }
    if (oldest) targets[oldest.s] = oldest.target;
  }

  /** A replacement target for one stage of a frame whose target failed. */
  failover(s: number): string {
    return this.#fastest(s);
  }

  report(s: number, target: string, ms: number): void {
    if (s < this.#stages.length) this.model.record(this.#computeKey(s, target), ms);
    const h = this.#health.get(target);
    if (h && this.isHealthy(target)) this.#health.delete(target); // a successful probe
  }

  reportTransfer(from: string, to: string, ms: number): void {
    this.model.record(LatencyModel.transferKey(from, to, this.#bucket), ms);
  }

  /** Marks a target unhealthy (error or time-out): excluded with back-off, history dropped. */
  reportFailure(target: string, reason: string): void {
    const previous = this.#health.get(target);
    const [first, max] = this.options.backoffMs;
    const backoff = previous ? Math.min(max, previous.backoff * 2) : first;
    this.#health.set(target, { until: this.#clock() + backoff, backoff, reason });
    for (let s = 0; s < this.#stages.length; s++) this.model.reset(this.#computeKey(s, target));
    if (this.#plan && !this.#planHealthy()) this.#replan();
    else if (this.policy !== 'pipelined') {
      // Per-frame policies have no plan to change: the exclusion itself is the change.
      this.#stages.forEach((stage, s) => {
        if (stage.targets.includes(target))
          this.#log({ stage: s, kind: stage.kind, from: target, to: `not ${target}`, reason });
      });
    }
  }

  /**
   * Predicted frames per second for a strategy, from the current model, each from the best plan
   * for it: `fps` with this scheduler's frames in flight, `pipelinedFps` with frames overlapping
   * freely (the busiest resource sets the pace), `serialFps` one frame at a time (every
   * resource's time adds up); utilization of the plan for this scheduler's frames in flight.
   */
  predict(strategy: Strategy): {
    fps: number;
    pipelinedFps: number;
    serialFps: number;
    utilization: Record<string, number>;
  } | null {
    const allowed = (t: string) => {
      const info = this.#targets.get(t);
      return !!info && strategyAllows(strategy, info) && this.isHealthy(t);
    };
    const best = (inFlight?: number) => bestPlan(this.#problem(inFlight), this.costs, allowed);
    const plan = best();
    const pipelined = best(Infinity);
    const serial = best(1);
    if (!plan || !pipelined || !serial) return null;
    return {
      fps: 1000 / plan.period,
      pipelinedFps: 1000 / pipelined.period,
      serialFps: 1000 / serial.period,
      utilization: plan.utilization,
    };
  }
}

const CHANGE_LOG = 50;

/** "gpu", or "gpu 60% + remote 40%" for a split stage. */
function describeShares(shares: Shares): string {
  const used = shares.filter((x) => x.share > 0.005);
  if (used.length === 1) return used[0].target;
  return used.map((x) => `${x.target} ${Math.round(x.share * 100)}%`).join(' + ');
}
