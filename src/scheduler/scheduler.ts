import { staticBound } from './bound';
import { LatencyModel, sizeBucket } from './latency-model';
import { planFor, recommend, rescore, type Plan } from './planner';
import { atSource, compile, linkName, type CostModel, type Problem, type Shares } from './problem';
import {
  planKey,
  PlanTimer,
  supportKey,
  scoreCandidates,
  shownWrong,
  trialOf,
  type Candidate,
  type PlanRecord,
  type RecordRules,
  type Scored,
  RetryBackoff,
} from './trial';
import type { Clock, PlacementChange, StageInfo, Strategy, TargetInfo } from './types';

/** 'planned': the planner (Auto and the fixed strategies); 'static': the user's pins. */
export type Policy = 'static' | 'planned';

export interface SchedulerOptions {
  strategy: Strategy;
  policy?: Policy;
  /** Re-plan at least every this many frames (sooner when an estimate moves or a target fails). */
  replanEvery: number;
  /** A new plan must be predicted this much faster (fraction) to replace the current one. */
  hysteresis: number;
  /** An estimate the plan relies on that moves by this fraction makes the plan stale at once. */
  replanOnChange: number;
  /**
   * The share of time that re-measuring targets the plan does not use may cost (0: never). A
   * target is re-measured only when its estimate is stale and could change the plan.
   */
  exploreShare: number;
  /** Back-off after a failure: starts at the first value, doubles up to the second (ms). */
  backoffMs: [number, number];
  /** Transfer cost assumed before one is measured (ms). */
  transferPriorMs: number;
  /** Frames the executor has in flight at most (plans are made for it). */
  inFlight: number;
  /**
   * Auto: frames each plan it cannot tell apart runs for, timed, before it keeps the fastest
   * (0: trust the model alone). Every plan that runs is timed over windows of this many frames.
   */
  trialFrames: number;
  /** Auto: plans predicted within this fraction of the best one are measured (see trial.ts). */
  trialMargin: number;
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  strategy: 'auto',
  replanEvery: 30,
  hysteresis: 0.08,
  replanOnChange: 0.15,
  exploreShare: 0.005,
  backoffMs: [500, 4000],
  transferPriorMs: 2,
  inFlight: 2,
  trialFrames: 8,
  trialMargin: 0.5,
};

/** The strategies that run without splits: Auto measures their plans beside its own. */
const FIXED_STRATEGIES: Strategy[] = ['gpu-only', 'gpu+accelerator', 'cpu+gpu+accelerator'];
/**
 * A plan's measurement is used for this many decisions; within 15% of its prediction, the
 * model is taken as right (a window of frames is noisy).
 */
const RECORD_RULES: Omit<RecordRules, 'moved' | 'recent'> = {
  maxAge: 5000,
  agree: 0.15,
  retryDrift: 2,
  runningDrift: 3,
};

/** What a frame was sent to measure: one stage on one target. */
export interface Check {
  stage: number;
  target: string;
}

/** A target that failed: excluded until `until`, then probed with one frame. */
interface Health {
  until: number;
  backoff: number;
  reason: string;
  /** The frame sent to probe it, while that probe runs. */
  probe: { frame: number; stage: number; at: number } | null;
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

/** Auto spreads stages over several targets where that helps; the fixed strategies do not. */
export const strategySplits = (strategy: Strategy) => strategy === 'auto';

/** Frames in flight the planner considers (the app's setting allows 1–4). */
export const MAX_IN_FLIGHT = 4;

export interface Prediction {
  /** At this scheduler's frames in flight, from the plan the strategy runs. */
  fps: number;
  /** A range from the estimates' spread: every cost at mean ∓ one standard deviation. */
  low: number;
  high: number;
  /** The same plan one frame at a time, and with frames overlapping freely. */
  serialFps: number;
  pipelinedFps: number;
  /** The same plan at 1, 2, 3 and 4 frames in flight (what each extra frame buys). */
  byInFlight: number[];
  /** Each of those with its range ([low, high], as `low` and `high`). */
  byInFlightRange: [number, number][];
  /** ms a frame spends moving between memories under the plan (readbacks, uploads, network). */
  transferMs: number;
  utilization: Record<string, number>;
  plan: Plan;
  /**
   * `measured`: the plan's own frames were timed (or a plan on the same targets ran clearly off
   * the model), so every figure is the model's scaled by what they measured — devices sharing
   * cores slow each other, and a frame overlaps its own stages, in ways stage-by-stage
   * estimates miss; `model`: the latency model's word.
   */
  basis: 'model' | 'measured';
  /**
   * The plan's last timed window, if it has one (`sibling`: a plan on the same targets, scaled):
   * the frame rate it ran at, and how many frames ago. What `basis` weighed.
   */
  timed: {
    fps: number;
    framesAgo: number;
    sibling: boolean;
    /**
     * How the window was weighed (why a prediction is the model's though the plan was timed):
     * `state` as `scoreCandidates` scored it, `trusted` (the running plan, nothing it uses 3×
     * slower since but what swung in its windows), `drift` (the model's period for the plan
     * now over then).
     */
    state: 'measured' | 'remembered' | 'unmeasured';
    trusted: boolean;
    drift: number;
  } | null;
}

/**
 * Decides where each stage of each frame runs, from measured latency. Pure: no DOM, no timers;
 * time comes from the injected clock, measurements from `report`.
 *
 * - Calibration first: a (stage, target) pair never measured enough gets frames until it is.
 * - Planning (`maintain`, off the frame path): the planner's best plan for the strategy's targets
 *   at the executor's frames in flight, scored by the pipeline model; adopted past a hysteresis.
 *   A plan goes stale when an estimate it relies on moves, a target fails or comes back, or
 *   `replanEvery` frames pass.
 * - `decide` (the frame path) only reads the plan's cycle: no search.
 * - Failure: the target is excluded at once (the plan is patched without a search), with a
 *   back-off per target; when it ends, one frame probes the target.
 * - Exploration: a stale estimate that could change the plan is re-measured, within a budget of
 *   `exploreShare` of the time.
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
  /** Estimates the plan was made from (stage × target), to see when they move. */
  #basis: Map<string, number> = new Map();
  #stale: string | null = 'no plan yet';
  #cursor = 0;
  #framesSincePlan = 0;
  #health = new Map<string, Health>();
  #exploreBudget = 0;
  #exploreCap = 0;
  #exploreMin = Infinity;
  /** Pairs sent a frame to confirm an estimate that jumped (until that frame reports). */
  #verifying = new Set<string>();
  /** Stage × target pairs whose estimate jumped on one sample and awaits confirmation. */
  #unconfirmed = new Set<string>();
  #calibrated = false;
  #lastDecide: number | null = null;
  /**
   * Frames sent to measure something (a probe, a check, a re-measure), with the stage and target
   * each measures.
   */
  readonly #measuring = new Map<number, Check>();
  /** Pairs worth re-measuring when stale (from the last plan): stage, target, extra ms. */
  #explorable: { stage: number; target: string; cost: number }[] = [];
  #predictions = new Map<string, { at: number; value: Prediction | null }>();
  /** What each plan that ran measured (by `planKey`), and the timer of the one running. */
  #records = new Map<string, PlanRecord>();
  /** The latest record per set of targets used (`supportKey`), for plans that differ in shares. */
  #siblings = new Map<string, { record: PlanRecord; plan: Plan }>();
  #timer: PlanTimer | null = null;
  /** Plans still to run in the measuring trial under way (the running one is `#plan`). */
  #trial: Plan[] | null = null;
  #decisions = 0;
  /**
   * Decisions at the last interruption (a seek, Compare's restart, a pause): a window after it
   * does not average with one before (minutes, and other strategies' frames, may lie between).
   */
  #interruptedAt = -Infinity;
  /**
   * Decisions when Auto last ran a plan it did not have to (one only the model preferred, or a
   * remembered one again: see `#choose`), and when each remembered plan may run again.
   */
  #triedAt = -Infinity;
  #retried = new RetryBackoff(TRY_EVERY);
  /** Decisions at the last confirmed 3× slowdown of anything (see `#slowed`). */
  #lastSlowed = -Infinity;
  /** Decisions when the running plan's cycle was adopted. */
  #adoptedAt = 0;
  /** Decisions when a target or a move (`link:a>b`) last became `HOLD_BREAK`× slower. */
  #slowedAt = new Map<string, number>();
  /** What the running plan uses that became `HOLD_BREAK`× slower in its window under way. */
  #swung = new Set<string>();
  /** Estimates (model keys) that jumped, awaiting their next sample: the mean before the jump. */
  #jumpFrom = new Map<string, number>();
  /** Decisions when a fixed strategy began to wait for a jump's confirmation (see `#awaitsConfirmation`). */
  #awaitingSince: number | null = null;
  planChanges = 0;
  /** Chains set so far (each one starts planning and timing over). */
  chainsSet = 0;
  /**
   * The running plans' timing so far: windows completed, and windows started again before they
   * completed, by why — another plan adopted, an interruption (a seek, Compare's restart), a
   * pause between decisions, a slowdown of something the plan uses, the plans' timings
   * forgotten (a chain, frames in flight, `forgetPlanTimings`). The bench reports them: a plan
   * never timed is predicted on the model's word alone.
   */
  readonly timing = {
    windows: 0,
    restarts: { plan: 0, interrupted: 0, pause: 0, slowdown: 0, forgotten: 0 },
  };
  /**
   * Frames sent to measure something, by why: a probe of a target whose back-off ended, a check
   * of an estimate that jumped (off the plan, or a frame of the plan marked to check it where the
   * plan uses the pair), a re-measure of a stale one (exploration). The bench reports them; the
   * app times such a frame cleanly where the pair is learned from clean frames only
   * (`checkOf`).
   */
  readonly offPlan = { probe: 0, verify: 0, explore: 0 };
  /** The checks of a jumped estimate (`offPlan.verify`) by stage kind and target. */
  readonly verified: Record<string, number> = {};
  /**
   * Plans searched, and the clock time each took (ms): the search and Auto's choice between
   * plans. The bench reports them.
   */
  readonly replanTimes: number[] = [];
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
    return this.options.policy ?? 'planned';
  }

  get plan(): Plan | null {
    return this.#plan;
  }

  get targets(): TargetInfo[] {
    return [...this.#targets.values()];
  }

  /** Why the plan will be made again at the next `maintain` (null: it is current). */
  get stale(): string | null {
    return this.#stale;
  }

  setChain(stages: StageInfo[], pixels: number, source = 'gpu', sink = 'gpu'): void {
    this.chainsSet++;
    this.#stages = stages;
    this.#bucket = sizeBucket(pixels);
    this.#source = source;
    this.#sink = sink;
    this.#plan = null;
    this.#stale = 'new chain';
    this.#calibrated = false;
    this.#unconfirmed.clear();
    this.#verifying.clear();
    this.#jumpFrom.clear();
    this.#awaitingSince = null;
    this.#explorable = [];
    this.#exploreMin = Infinity;
    this.#exploreCap = 0;
    this.#predictions.clear();
    this.#forgetMeasuredPlans();
  }

  #forgetMeasuredPlans(): void {
    this.#records.clear();
    this.#siblings.clear();
    this.#retried.clear();
    // Timed again from the next decision: the plan made next may be the one running (a new
    // timer came only with a plan that changed, so after a change of frames in flight a plan
    // that stayed the same was never timed again, and its prediction was the model's alone).
    this.#newWindow('forgotten');
    this.#trial = null;
    this.#adoptedAt = -Infinity; // nothing to hold: the next plan is for another situation
  }

  /**
   * The plans' timed windows no longer describe the machine (the bench's page warm-up: the
   * page's first seconds ran 8–22% slower, and the first row's first repeat was predicted from
   * them at 0.82–0.84 of what it then ran): they are forgotten, the estimates kept, and the
   * plans are timed again from the next decision.
   */
  forgetPlanTimings(): void {
    this.#predictions.clear();
    this.#forgetMeasuredPlans();
  }

  /** The executor's frames in flight changed: the next plan is made for them. */
  setInFlight(inFlight: number): void {
    const k = Math.max(1, Math.round(inFlight));
    if (this.options.inFlight === k) return;
    this.options.inFlight = k;
    this.#stale ??= `${k} frame${k === 1 ? '' : 's'} in flight`;
    this.#predictions.clear();
    this.#forgetMeasuredPlans();
  }

  /**
   * Whether the plan or its prediction may still change for want of measurement: calibrating,
   * no plan yet, Auto still timing the plans it could not tell apart (and choosing between
   * them), or the running plan never timed (its prediction is the model's word alone, which on
   * devices sharing cores was 0.6–1.7× what the plan then ran at).
   */
  get settling(): boolean {
    if (this.policy === 'static' || this.#stages.length === 0) return false;
    const plan = this.#plan;
    return (
      this.calibrating ||
      !plan ||
      this.#trial !== null ||
      this.#stale === TRIAL_DONE ||
      (this.options.trialFrames > 0 && !this.#records.has(planKey(plan)))
    );
  }

  /** Frames decided so far: the clock the plans' timed windows are dated by. */
  get decisions(): number {
    return this.#decisions;
  }

  /**
   * Whether the running plan has `windows` consecutive windows timed after decision `since`
   * (and no interruption between them). Compare's warm-up runs until it has: a prediction made
   * from a window of the repeat before (minutes earlier, other strategies run in between) missed
   * by 16–23% where the machine had drifted since, and one from a single fresh window by up to
   * 21% (8-frame windows of one plan differed by 10–15% here). True where plans are not timed.
   */
  timedSince(since: number, windows = 1): boolean {
    const plan = this.#plan;
    if (this.policy === 'static' || this.options.trialFrames === 0 || !plan) return true;
    const record = this.#records.get(planKey(plan));
    return !!record && record.at > since && record.windows >= windows;
  }

  /** Whether some stage still has a target to measure before the scheduler trusts its model. */
  get calibrating(): boolean {
    return this.#calibrationDone() === false;
  }

  /**
   * Whether every (stage, allowed target) pair is calibrated. Once true it stays true until
   * the chain, the targets' health or the strategy changes (a drift keeps pairs calibrated), so
   * `decide` does not look at every pair on every frame.
   */
  #calibrationDone(): boolean {
    if (this.#calibrated) return true;
    this.#calibrated = this.#stages.every((_, s) => this.#needsCalibration(s) === null);
    return this.#calibrated;
  }

  isHealthy(target: string): boolean {
    return !this.#health.has(target);
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
      // Not measured yet: a small prior, so that a path calibration did not take is tried;
      // its first measurement makes the plan stale if it was wrong (see reportTransfer).
      return (
        this.model.estimate(LatencyModel.transferKey(from, to, this.#bucket))?.mean ??
        this.options.transferPriorMs
      );
    },
  };

  /** Costs shifted by `sigmas` standard deviations (the prediction's range). */
  #shifted(sigmas: number): CostModel {
    const shift = (key: string) => {
      const e = this.model.estimate(key);
      return e && Math.max(0, e.mean + sigmas * e.spread);
    };
    return {
      compute: (s, target) => shift(this.#computeKey(s, target)) ?? undefined,
      transfer: (from, to) =>
        from === to
          ? 0
          : (shift(LatencyModel.transferKey(from, to, this.#bucket)) ??
            this.options.transferPriorMs),
    };
  }

  #problem(): Problem {
    return {
      stages: this.#stages,
      targets: [...this.#targets.values()],
      source: this.#source,
      sink: this.#sink,
      frameMs: this.frameMs,
    };
  }

  #candidates(s: number): string[] {
    return this.#stages[s].targets.filter((t) => this.allowed(t));
  }

  /** A candidate never measured enough, fewest samples first. */
  #needsCalibration(s: number): string | null {
    let best: string | null = null;
    let fewest = Infinity;
    for (const t of this.#candidates(s)) {
      const e = this.model.estimate(this.#computeKey(s, t));
      if (e?.calibrated) continue;
      // The first run is kept apart, so an unmeasured pair needs one more run.
      const count = e ? e.count : -1;
      if (count < fewest) {
        fewest = count;
        best = t;
      }
    }
    return best;
  }

  /**
   * Re-plans when the plan is stale (off the frame path: the app calls this when idle, the
   * simulator between events). Returns whether a search ran.
   */
  maintain(): boolean {
    if (this.policy === 'static' || this.#stages.length === 0) return false;
    if (this.#stale === null) return false;
    if (this.calibrating) return false;
    if (this.#trial) {
      // A trial runs to its end unless a plan in it lost a target.
      if (this.#planUsable() && this.#trial.every((p) => this.#usable(p))) return false;
      this.#trial = null;
    }
    if (this.#holding() || this.#awaitsConfirmation()) return false;
    this.#awaitingSince = null;
    const t0 = this.#clock();
    const reason = this.#stale;
    this.#stale = null;
    this.#framesSincePlan = 0;
    const next = planFor(this.#problem(), this.costs, {
      inFlight: this.options.inFlight,
      allowed: (t) => this.allowed(t),
      splits: strategySplits(this.options.strategy),
    });
    if (!next) return this.#replanned(t0);
    const current =
      this.#plan && this.#planUsable()
        ? rescore(this.#problem(), this.costs, this.#plan, this.options.inFlight)
        : null;
    const choice = this.#measuresPlans()
      ? this.#choose(next, current)
      : { plan: next, period: next.period, currentPeriod: current?.period ?? null };
    this.#replanned(t0);
    if ('trial' in choice) {
      const [first, ...rest] = choice.trial;
      this.#trial = rest;
      if (this.#plan) this.planChanges++;
      const n = choice.trial.length;
      // Only a chain's first plan tries plans never run; later trials re-run remembered ones.
      const what = choice.why
        ? choice.why
        : !this.#plan
          ? `measuring ${n} plans the model cannot tell apart`
          : n === 1
            ? 'measuring again a plan that ran faster before'
            : `measuring again ${n} plans that ran faster before`;
      this.#logChanges(
        this.#plan,
        first,
        this.#plan ? what : `${FIRST_PLAN}: ${what}`,
        choice.weighed,
      );
      this.#adopt(first);
    } else if (
      choice.currentPeriod === null ||
      (choice.plan !== current &&
        choice.period <
          choice.currentPeriod * (1 - (reason === TRIAL_DONE ? 0 : this.options.hysteresis)))
    ) {
      if (this.#plan) this.planChanges++;
      const gain = current &&
        choice.currentPeriod !== null && {
          current,
          from: choice.currentPeriod,
          to: choice.period,
          measured: choice.measured === true,
        };
      this.#logChanges(
        this.#plan,
        choice.plan,
        this.#reason(this.#plan, gain || null, reason),
        choice.weighed,
      );
      this.#adopt(choice.plan);
    } else {
      this.#adopt(current!);
    }
    return true;
  }

  /** Keeps what a re-plan begun at `t0` cost (the search, and Auto's choice between plans). */
  #replanned(t0: number): true {
    this.replanTimes.push(this.#clock() - t0);
    if (this.replanTimes.length > 1000) this.replanTimes.splice(0, 500);
    return true;
  }

  /**
   * Auto keeps a plan it chose until one window of its frames is timed: its estimates drift while
   * other plans crowd its stages, and in the browser a plan judged by them before it had run a
   * window lost to a split every second or so, and won back before it was timed. A target of
   * the plan that failed, or a target or move it uses that became 3× slower, ends the hold (a
   * plan's own start slows its targets by up to 2× where they share cores: that waits for the
   * window), and so does a window that never completes (an executor that stopped reporting).
   * Half a window that ran clearly slower than predicted ends it too, as the plan's record.
   */
  #holding(): boolean {
    const plan = this.#plan;
    if (!plan || !this.#measuresPlans() || !this.#planUsable()) return false;
    const from = this.#adoptedAt;
    if ((this.#records.get(planKey(plan))?.at ?? -1) >= from) return false;
    const window = this.options.trialFrames + this.options.inFlight;
    if (this.#decisions - from > HOLD_WINDOWS * window) return false;
    if (this.#slowedSince(plan, from)) return false;
    // Half a window clearly slower than predicted is enough to judge it by: kept as its record.
    const part = this.#timer?.partial();
    const predicted = rescore(this.#problem(), this.costs, plan, this.options.inFlight)?.period;
    if (part && predicted && part.frames * 2 >= this.options.trialFrames) {
      if (part.ms > predicted * (1 + RECORD_RULES.agree)) {
        this.#record(plan, part.ms);
        return false;
      }
    }
    return true;
  }

  /**
   * A fixed strategy keeps its plan while an estimate of something the plan uses (a stage on its
   * target, a move) jumped on one sample and awaits the next, which comes within a frame or two
   * (the plan's own, timed cleanly by `#verify`): a spike is then undone and the plan stays; a
   * real change is confirmed and the plan is made again. In the browser "CPU + GPU +
   * accelerator" left its plan on one GPU sample 3× its mean (predicted +78%) and came back four
   * frames later: its timed frames ran the detour, 1.23× its prediction. So does a pair off the
   * plan that jumped faster on one sample (it could pull the plan there). A target or move just
   * confirmed slower waits no more for its other stages (scaled with it: the device changed),
   * and a wait is bounded (a pair that never reports again does not hold the plan for ever).
   * Auto weighs its running plan's timed windows instead (`#choose`).
   */
  #awaitsConfirmation(): boolean {
    const plan = this.#plan;
    if (!plan || this.#measuresPlans() || !this.#planUsable()) return false;
    const bound = plan.cycle.length + 2 * this.options.inFlight;
    const confirmed = (what: string) =>
      (this.#slowedAt.get(what) ?? -Infinity) >= this.#decisions - bound;
    const stage = [...this.#unconfirmed].some((pair) => {
      const [s, t] = pair.split('|');
      if (plan.cycle.some((frame) => frame[Number(s)] === t)) return !confirmed(t);
      // Off the plan, a jump faster could pull the plan there (`#verify` checks it next frame).
      const key = this.#computeKey(Number(s), t);
      const from = this.#jumpFrom.get(key);
      return from !== undefined && (this.model.estimate(key)?.mean ?? from) < from;
    });
    const move = Object.keys(plan.loads).some((name) => {
      if (!name.startsWith('link:') || confirmed(name)) return false;
      const [from, to] = name.slice(5).split('>');
      return this.model.estimate(LatencyModel.transferKey(from, to, this.#bucket))?.unconfirmed;
    });
    if (!stage && !move) return false;
    this.#awaitingSince ??= this.#decisions;
    return this.#decisions - this.#awaitingSince <= bound;
  }

  #measuresPlans(): boolean {
    return strategySplits(this.options.strategy) && this.options.trialFrames > 0;
  }

  #usable(plan: Plan): boolean {
    return plan.cycle.every((frame) => frame.every((t) => this.allowed(t)));
  }

  /**
   * Auto's choice between its plan, the current one, each fixed strategy's plan and the plan that
   * stays where frames start (`atSource`), by their periods corrected by what they measured when
   * they ran (`scoreCandidates`); the plans `trialOf` picks are run first, a few frames each, the
   * model's favourite first: a trial.
   */
  #choose(
    next: Plan,
    current: Plan | null,
  ): (
    | { trial: Plan[]; why?: string }
    | { plan: Plan; period: number; currentPeriod: number | null; measured?: boolean }
  ) & {
    /** The candidates weighed (described in the placement log where the plan moves). */
    weighed?: Scored<Plan>[];
  } {
    const problem = this.#problem();
    const plans = [next, ...(current ? [current] : [])];
    for (const strategy of FIXED_STRATEGIES) {
      const allowed = (t: string) =>
        this.allowed(t) && strategyAllows(strategy, this.#targets.get(t)!);
      const plan = planFor(problem, this.costs, {
        inFlight: this.options.inFlight,
        allowed,
        splits: false,
      });
      if (plan) plans.push(plan);
    }
    // And the plan that keeps frames where they start wherever a stage can run there, which no
    // fixed strategy may run: in the browser, at two frames in flight, every effect on the GPU
    // and background blur on ort-wasm won by 10–25%, the model 25% above it, and only plans with
    // an effect on the CPU were timed against each other.
    const allowed = (t: string) => this.allowed(t);
    const stay = planFor(problem, atSource(problem, this.costs, allowed), {
      inFlight: this.options.inFlight,
      allowed,
      splits: false,
    });
    if (stay) plans.push(stay);
    const candidates = new Map<string, Candidate<Plan>>();
    for (const plan of plans) {
      const key = planKey(plan);
      if (!candidates.has(key)) candidates.set(key, this.#candidate(plan));
    }
    const running = current && candidates.get(planKey(current));
    // Its last window is what it runs at now (a window is timed every few frames while it runs),
    // unless a target or move it uses became 3× slower since, confirmed. A 2× drift is not
    // enough: estimates drift that much while another plan crowds the plan's stages, and in the
    // browser the endpoint plan, timed at 450 ms a frame, then lost to a split on its 915 ms.
    if (running) running.current = true;
    if (running && this.#trustsRunning(current!, running.record)) running.running = true;
    const scored = scoreCandidates([...candidates.values()], this.#decisions, this.#recordRules());
    const trial = trialOf(scored, {
      first: !this.#plan,
      margin: this.options.trialMargin,
      hysteresis: this.options.hysteresis,
      mayRetry: (x) => this.#mayRetry(planKey(x.plan)),
    });
    if (trial.length > 0) {
      for (const x of trial) if (x.state === 'remembered') this.#noteRetry(planKey(x.plan));
      return { trial: trial.map((x) => x.plan), weighed: scored };
    }
    const pick = scored.reduce((a, b) => (b.period < a.period ? b : a));
    const now = current && scored.find((x) => planKey(x.plan) === planKey(current));
    // Where measurements have shown the model wrong, a plan it alone prefers is run for a window
    // (at most one such trial every `TRY_EVERY` decisions) before it can replace the running
    // plan, timed and trusted: in the browser a split won on the model's word, ran 25% slower,
    // and kept winning as the endpoint plan's estimates drifted while the split crowded it.
    if (
      now?.running &&
      pick !== now &&
      pick.state === 'unmeasured' &&
      // (Measured since the last confirmed slowdown: older ratios describe another machine.)
      shownWrong(
        scored.filter((x) => x.record && x.record.at > this.#lastSlowed),
        RECORD_RULES.agree,
      )
    ) {
      if (!this.#mayTry())
        return { plan: current!, period: now.period, currentPeriod: now.period, weighed: scored };
      this.#triedAt = this.#decisions;
      return {
        trial: [pick.plan],
        why: 'measuring a plan only the model prefers (it has been wrong here)',
        weighed: scored,
      };
    }
    return {
      plan: now && pick === now ? current! : pick.plan,
      period: pick.period,
      currentPeriod: now ? now.period : null,
      measured: pick.state !== 'unmeasured' && now?.state !== 'unmeasured',
      weighed: scored,
    };
  }

  /**
   * Whether Auto may run a plan it does not have to now: these trials are exploration, so none
   * while exploration is off (Compare's timed frames) and at most one every `TRY_EVERY`
   * decisions (a window on a slower plan every 100 frames costs about 1%).
   */
  #mayTry(): boolean {
    return this.options.exploreShare > 0 && this.#decisions - this.#triedAt >= TRY_EVERY;
  }

  #mayRetry(key: string): boolean {
    return this.#mayTry() && this.#retried.may(key, this.#decisions, this.#lastSlowed);
  }

  #noteRetry(key: string): void {
    this.#retried.ran(key, this.#decisions, this.#lastSlowed);
    this.#triedAt = this.#decisions;
  }

  /** A plan with what it measured, or what a plan on the same targets measured. */
  #candidate(plan: Plan): Candidate<Plan> {
    const own = this.#records.get(planKey(plan));
    if (own) return { plan, predicted: plan.period, record: own };
    const sibling = this.#siblings.get(supportKey(plan));
    // Its measurement holds while the model's view of that plan has not moved (a slowdown since
    // shows there, not in this plan's prediction); its ratio then speaks for this one.
    const then =
      sibling && rescore(this.#problem(), this.costs, sibling.plan, this.options.inFlight)?.period;
    const moved = this.options.replanOnChange;
    if (!sibling || !then || Math.abs(then / sibling.record.predicted - 1) > moved)
      return { plan, predicted: plan.period };
    const ratio = sibling.record.ms / sibling.record.predicted;
    const record = {
      ms: plan.period * ratio,
      predicted: plan.period,
      at: sibling.record.at,
      windows: sibling.record.windows,
    };
    return { plan, predicted: plan.period, record, sibling: true };
  }

  /**
   * The executor showed `frame` (it finished). The running plan is timed over windows of
   * `trialFrames` frames; a trial moves to its next plan when one is timed, and re-plans when
   * every plan in it has been.
   */
  shown(frame: number): void {
    const ms = this.#timer?.shown(frame, this.#clock());
    const plan = this.#plan;
    if (ms === null || ms === undefined || !plan) return;
    this.timing.windows++;
    const first = !this.#records.has(planKey(plan));
    const predicted = this.#record(plan, ms);
    if (predicted === undefined) return;
    if (!this.#trial) {
      // A plan that runs far from its prediction: choose again with what it measured.
      const off = ms / predicted - 1;
      if (first && this.#measuresPlans() && Math.abs(off) > RECORD_RULES.agree)
        this.#stale ??= `the plan ran ${Math.round(Math.abs(off) * 100)}% ${off > 0 ? 'slower' : 'faster'} than predicted`;
      return;
    }
    const next = this.#trial.shift();
    if (next) {
      this.#logChanges(plan, next, 'measuring the next plan');
      this.#adopt(next);
    } else {
      this.#trial = null;
      this.#stale = TRIAL_DONE;
    }
  }

  /** Keeps what `plan` ran at (ms a frame); returns the model's period for it now. */
  #record(plan: Plan, ms: number): number | undefined {
    // Against what the model says of the plan now: estimates learned while it ran can drift
    // (here, absorbing the slowdown of sharing cores) while its rate does not.
    const predicted = rescore(this.#problem(), this.costs, plan, this.options.inFlight)?.period;
    if (predicted === undefined) return undefined;
    // One window is noisy (a re-measure of another target can fall in it): in the same
    // situation (the model's period for the plan moved less than `moved`), windows average.
    const last = this.#records.get(planKey(plan));
    const same =
      last &&
      last.at > this.#interruptedAt &&
      Math.abs(predicted / last.predicted - 1) <= this.options.replanOnChange &&
      !this.#slowedSince(plan, last.at, last.swung);
    const record: PlanRecord = {
      ms: same ? (last.ms + ms) / 2 : ms,
      predicted: same ? (last.predicted + predicted) / 2 : predicted,
      at: this.#decisions,
      windows: same ? last.windows + 1 : 1,
      // A swing seen under the plan before stays in: a window between two swings may have none.
      swung: new Set([...this.#swung, ...(last?.swung ?? [])]),
    };
    this.#swung = new Set();
    this.#records.set(planKey(plan), record);
    this.#siblings.set(supportKey(plan), { record, plan });
    // A prediction cached before it (the panel asks every frame) would not weigh it: Compare's
    // first repeat of every strategy was predicted from the model alone, its warm-up just timed.
    this.#predictions.clear();
    return predicted;
  }

  #adopt(plan: Plan): void {
    const changed = !this.#plan || !sameCycle(plan.cycle, this.#plan.cycle);
    this.#plan = plan;
    if (changed) {
      this.#cursor = 0;
      this.#adoptedAt = this.#decisions;
      this.#newWindow('plan');
      this.#swung = new Set();
      this.#predictions.clear();
    }
    this.#basis = new Map();
    for (const name of Object.keys(plan.loads)) {
      const [from, to] = name.startsWith('link:') ? name.slice(5).split('>') : [];
      const key = from && LatencyModel.transferKey(from, to, this.#bucket);
      const e = key ? this.model.estimate(key) : null;
      if (key && e) this.#basis.set(key, e.mean);
    }
    for (let s = 0; s < this.#stages.length; s++)
      for (const t of this.#candidates(s)) {
        const c = this.costs.compute(s, t);
        if (c !== undefined) this.#basis.set(`${s}|${t}`, c);
      }
    this.#explorable = this.#worthExploring(plan);
    this.#exploreCap = Math.max(0, ...this.#explorable.map((p) => p.cost));
    this.#exploreMin = Math.min(Infinity, ...this.#explorable.map((p) => p.cost));
  }

  /** A timer for the running plan's frames from the next decision on (none without trials). */
  #newTimer(): PlanTimer | null {
    const { trialFrames, inFlight } = this.options;
    return trialFrames > 0 ? new PlanTimer(trialFrames, inFlight) : null;
  }

  #planUsable(): boolean {
    return !!this.#plan && this.#usable(this.#plan);
  }

  /**
   * Pairs the plan does not use that could change it: moved to that target at half its
   * estimate (what a stale estimate could hide), the plan's bound would beat its period.
   */
  #worthExploring(plan: Plan): { stage: number; target: string; cost: number }[] {
    const c = compile(this.#problem(), this.costs, (t) => this.allowed(t));
    if (!c) return [];
    const base = plan.cycle[0].map((t, s) => c.options[s].findIndex((o) => o.target === t));
    if (base.some((i) => i < 0)) return [];
    const out: { stage: number; target: string; cost: number }[] = [];
    for (let s = 0; s < c.options.length; s++) {
      const used = new Set(plan.stages[s].map((x) => x.target));
      c.options[s].forEach((o, i) => {
        if (used.has(o.target)) return;
        const full = o.cost;
        o.cost = full / 2;
        const pick = base.slice();
        pick[s] = i;
        const b = staticBound(c, plan.inFlight)(pick);
        o.cost = full;
        const extra = Math.max(0, full - c.options[s][base[s]].cost);
        if (b < plan.period) out.push({ stage: s, target: o.target, cost: extra });
      });
    }
    return out;
  }

  /**
   * Why a plan replaces `previous`: the first plan, a target lost, or its gain over the current
   * plan (periods `from` → `to`, measured or the model's).
   */
  #reason(
    previous: Plan | null,
    gain: { current: Plan; from: number; to: number; measured: boolean } | null,
    why: string,
  ): string {
    if (!previous) return FIRST_PLAN;
    if (!gain) {
      const lost = [...new Set(previous.cycle.flat())].filter((t) => !this.allowed(t));
      const cause = lost.map((t) => this.#health.get(t)?.reason).find((r) => r);
      return lost.length
        ? `${lost.join(', ')} unavailable${cause ? ` (${cause})` : ''}`
        : `re-planned: ${why}`;
    }
    const { current, from, to, measured } = gain;
    const percent = Math.round((from / to - 1) * 100);
    const [busiest, ms] = Object.entries(current.loads).reduce(
      (a, b) => (b[1] > a[1] ? b : a),
      ['', -1],
    );
    return `${measured ? 'measured' : 'predicted'} +${percent}%${busiest ? ` (bottleneck was ${busiest}, ${ms.toFixed(1)} ms a frame)` : ''}`;
  }

  /** Records each stage whose targets differ between two plans, with the reason. */
  #logChanges(previous: Plan | null, next: Plan, reason: string, weighed?: Scored<Plan>[]): void {
    const candidates = weighed?.map((x) => this.#describeCandidate(x));
    next.stages.forEach((shares, s) => {
      const from = previous ? describeShares(previous.stages[s]) : '—';
      const to = describeShares(shares);
      if (from === to) return;
      this.#log({ stage: s, kind: this.#stages[s].kind, from, to, reason, candidates });
    });
  }

  /** A scored candidate in the log: its plan, its period as weighed and why (`PlacementChange`). */
  #describeCandidate(x: Scored<Plan>): string {
    const trust = x.running ? ', running' : x.current ? ', running, not trusted' : '';
    const ran = x.record
      ? `, ran ${x.record.ms.toFixed(1)} against ${x.record.predicted.toFixed(1)} predicted ` +
        `${this.#decisions - x.record.at} frames ago${x.sibling ? ' (same targets, other shares)' : ''}`
      : '';
    return (
      `${planKey(x.plan)}: ${x.period.toFixed(1)} ms a frame (${x.state}${trust}; ` +
      `model ${x.predicted.toFixed(1)}${ran})`
    );
  }

  #log(change: Omit<PlacementChange, 'at'>): void {
    this.changes.push({ at: this.#clock(), ...change });
    if (this.changes.length > CHANGE_LOG) this.changes.splice(0, this.changes.length - CHANGE_LOG);
  }

  /**
   * The frames stopped for something that is not the plan (Compare went back to the first
   * frame): the running plan's timing window starts again, and the time since the last
   * decision buys no exploration. A window across a restart (a seek and a keyframe decode,
   * shorter than the second a gap must last to count as a pause) timed the restart: Compare's
   * next repeat predicted "CPU + GPU + accelerator" at 0.67 of what its frames then ran at.
   */
  interrupted(): void {
    this.#restartTiming('interrupted');
    this.#lastDecide = null;
  }

  /** The running plan's window starts again, and does not average with the windows before. */
  #restartTiming(why: 'interrupted' | 'pause'): void {
    if (this.#timer) this.#newWindow(why);
    this.#interruptedAt = this.#decisions;
  }

  /** The running plan's timing window starts again (counted, where one had begun, by why). */
  #newWindow(why: keyof Scheduler['timing']['restarts']): PlanTimer | null {
    if (this.#timer?.started) this.timing.restarts[why]++;
    this.#timer = this.#newTimer();
    return this.#timer;
  }

  /** The target for every stage of `frame`. Cheap: it reads the plan; searches run in `maintain`. */
  decide(frame: number): string[] {
    if (this.#stages.length === 0) return [];
    const now = this.#clock();
    // Time between decisions, but a pause (another strategy ran, playback stopped) is not time
    // this plan ran: exploration's budget would otherwise arrive full after it.
    const gap = Math.max(EXPLORE_GAP_MS, 4 * (this.#plan?.period ?? 0));
    const since = this.#lastDecide === null ? 0 : Math.max(0, now - this.#lastDecide);
    const elapsed = Math.min(gap, since);
    this.#lastDecide = now;
    // Nor is it frame time: a window timed across it measured the pause (Compare's next repeat
    // then predicted GPU only at 0.07 of what it ran).
    if (since > gap) this.#restartTiming('pause');
    if (this.policy === 'static') {
      return this.#stages.map((stage, s) =>
        stage.pinned && this.allowed(stage.pinned) ? stage.pinned : this.#fastest(s),
      );
    }
    if (!this.#calibrationDone())
      return this.#stages.map((_, s) => this.#needsCalibration(s) ?? this.#fastest(s));
    if (++this.#framesSincePlan >= this.options.replanEvery) this.#stale ??= 'periodic check';
    const plan = this.#plan;
    this.#decisions++;
    this.#timer?.decided(frame);
    const targets = plan
      ? plan.cycle[this.#cursor++ % plan.cycle.length].slice()
      : this.#stages.map((_, s) => this.#fastest(s));
    const probe = this.#probe(frame, targets);
    if (probe) return this.#measure(frame, targets, 'probe', probe);
    const check = this.#verify(targets);
    if (check) return this.#measure(frame, targets, 'verify', check);
    // The budget grows with time, up to what the dearest re-measurement costs.
    this.#exploreBudget = Math.min(
      this.#exploreBudget + elapsed * this.options.exploreShare,
      this.#exploreCap,
    );
    const explore = this.#explore(targets);
    return explore ? this.#measure(frame, targets, 'explore', explore) : targets;
  }

  #measure(
    frame: number,
    targets: string[],
    why: keyof Scheduler['offPlan'],
    check: Check,
  ): string[] {
    this.offPlan[why]++;
    this.#measuring.set(frame, check);
    // Frames that never report (lost with a device) are not kept for ever.
    if (this.#measuring.size > 64) this.#measuring.delete(this.#measuring.keys().next().value!);
    return targets;
  }

  /**
   * What `frame` was sent to measure, if anything (a probe of a failed target, a check of an
   * estimate that jumped, a re-measure of a stale one): its sample decides the plan, so the
   * executor times the frame cleanly where that stage on that target is learned from clean frames
   * only (where it times only some frames cleanly, a sample it does not learn from would leave
   * the check waiting and the target out of the plan).
   */
  checkOf(frame: number): Check | undefined {
    return this.#measuring.get(frame);
  }

  /** Sends one stage of this frame to a target whose back-off ended, if none is probing yet. */
  #probe(frame: number, targets: string[]): Check | null {
    const now = this.#clock();
    for (const [target, h] of this.#health) {
      if (now < h.until) continue;
      // A probe whose frame never reported (lost) is given up after the longest back-off.
      if (h.probe && now - h.probe.at < this.options.backoffMs[1]) continue;
      const info = this.#targets.get(target);
      if (!info || !strategyAllows(this.options.strategy, info)) continue;
      const stage = this.#stages.findIndex((s) => s.targets.includes(target));
      if (stage < 0) continue;
      targets[stage] = target;
      h.probe = { frame, stage, at: now };
      return { stage, target };
    }
    return null;
  }

  /**
   * An estimate that jumped on one sample (a spike, or a real change) gets one more frame soon,
   * so a spike does not keep a target out of the plan until its estimate goes stale. Where the
   * frame runs the pair anyway (the plan uses it), it is still marked as checking it: the app
   * times only some frames cleanly, a pair learned from clean frames alone would wait for the
   * next of them, and a fixed strategy waits for this sample (see `#awaitsConfirmation`).
   */
  #verify(targets: string[]): Check | null {
    for (const pair of this.#unconfirmed) {
      const [stage, t] = pair.split('|');
      const s = Number(stage);
      if (this.#verifying.has(pair) || !this.allowed(t)) continue;
      this.#verifying.add(pair);
      targets[s] = t;
      const what = `${this.#stages[s].kind} on ${t}`;
      this.verified[what] = (this.verified[what] ?? 0) + 1;
      return { stage: s, target: t };
    }
    return null;
  }

  /** Keeps `#unconfirmed` in step with the model for one pair. */
  #track(s: number, target: string): void {
    const pair = `${s}|${target}`;
    if (this.model.estimate(this.#computeKey(s, target))?.unconfirmed) this.#unconfirmed.add(pair);
    else this.#unconfirmed.delete(pair);
  }

  /** Re-measures one stale pair that could change the plan, when the budget allows. */
  #explore(targets: string[]): Check | null {
    if (this.options.exploreShare <= 0 || this.#exploreBudget < this.#exploreMin) return null;
    const now = this.#clock();
    const stale = this.model.options.staleAfterMs;
    let oldest: { stage: number; target: string; cost: number; at: number } | null = null;
    for (const pair of this.#explorable) {
      if (pair.cost > this.#exploreBudget || !this.allowed(pair.target)) continue;
      const at =
        this.model.estimate(this.#computeKey(pair.stage, pair.target))?.updatedAt ?? -Infinity;
      if (now - at < stale) continue;
      if (!oldest || at < oldest.at) oldest = { ...pair, at };
    }
    if (!oldest) return null;
    targets[oldest.stage] = oldest.target;
    this.#exploreBudget -= oldest.cost;
    return { stage: oldest.stage, target: oldest.target };
  }

  /**
   * The stage's fastest allowed target by estimate (or any allowed one). Where no target the
   * strategy allows can run the stage now (an AI stage under "GPU only" with no ML target on the
   * GPU, or "GPU + accelerator" with its one accelerator down), a healthy target outside the
   * strategy runs it rather than none: a frame is never lost to a strategy; the engine reports
   * where each stage ran, and Compare does not count such frames as the strategy's.
   */
  #fastest(s: number): string {
    const { targets, kind } = this.#stages[s];
    let options = this.#candidates(s);
    if (options.length === 0) options = targets.filter((t) => this.isHealthy(t));
    if (options.length === 0) options = [...targets];
    if (options.length === 0)
      throw new Error(`no available target implements stage ${s} (${kind})`);
    return options.reduce((a, b) =>
      (this.costs.compute(s, a) ?? Infinity) <= (this.costs.compute(s, b) ?? Infinity) ? a : b,
    );
  }

  /** A replacement target for one stage of a frame whose target failed. */
  failover(s: number): string {
    return this.#fastest(s);
  }

  report(s: number, target: string, ms: number): void {
    this.reportTogether(target, [s], [ms]);
  }

  /**
   * Times of several stages on one target from one measurement (a GPU segment's time shared
   * among its stages): a jump in it is one piece of evidence, so it does not confirm itself —
   * a scaled stage would take its own share of the same spike as confirmation.
   */
  reportTogether(target: string, stages: readonly number[], ms: readonly number[]): void {
    const together = new Set(stages);
    stages.forEach((s, k) => {
      if (s < this.#stages.length) this.#report(s, target, ms[k], together);
    });
  }

  #report(s: number, target: string, ms: number, together: ReadonlySet<number>): void {
    const key = this.#computeKey(s, target);
    const before = this.model.estimate(key);
    this.model.record(key, ms);
    this.#verifying.delete(`${s}|${target}`);
    const after = this.model.estimate(key);
    this.#track(s, target);
    // A jump (3×) awaits its next sample; confirmed, the target changed speed.
    const from = this.#jumpFrom.get(key);
    this.#jumpFrom.delete(key);
    if (after?.unconfirmed && !before?.unconfirmed && before) this.#jumpFrom.set(key, before.mean);
    else if (from !== undefined && after && !after.unconfirmed && after.spikes === before?.spikes)
      this.#slowed(target, after.mean / Math.max(1e-9, from));
    /** The target's other stages in this chain (`measured`: with those in this measurement). */
    const siblings = (measured: boolean, each: (other: number) => void) =>
      this.#stages.forEach((_, other) => {
        if (other === s || !this.#stages[other].targets.includes(target)) return;
        if (!measured && together.has(other)) return;
        each(other);
        this.#track(other, target);
      });
    if (before && after && after.drifts > before.drifts && before.calibrated) {
      // The target changed speed: its other stages most likely did too.
      const factor = after.mean / Math.max(1e-9, before.mean);
      if (factor >= 2 || factor <= 0.5) {
        siblings(false, (other) => this.model.scale(this.#computeKey(other, target), factor));
      }
      if (!after.unconfirmed) this.#slowed(target, factor); // a run of far samples: confirmed
    }
    // The jump was a spike: what it made of the target's other stages goes too.
    if (before && after && after.spikes > before.spikes)
      siblings(true, (other) => this.model.undo(this.#computeKey(other, target)));
    const h = this.#health.get(target);
    if (h?.probe) {
      // The probe came back: the target is in use again, and the plan may want it.
      this.#health.delete(target);
      this.#calibrated = false;
      this.#adoptedAt = -Infinity; // the plan was made without it: no reason to hold it
      this.#stale ??= `${target} answered again`;
      this.#predictions.clear();
      return;
    }
    const basis = this.#basis.get(`${s}|${target}`);
    const now = this.model.estimate(key)?.mean;
    if (
      this.#plan &&
      now !== undefined &&
      (basis === undefined || Math.abs(now - basis) > this.options.replanOnChange * basis)
    )
      this.#stale ??= `${target} now ${now.toFixed(1)} ms for ${this.#stages[s].kind}`;
  }

  /**
   * `what` (a target, or a move `link:a>b`) became `factor`× slower, confirmed (never by a lone
   * jump awaiting its next sample: a frame of the previous plan still in flight crowds the new
   * plan's first frames, and one such sample must not end its hold). From `HOLD_BREAK`× it ends
   * the hold and the trust in the running plan's last window, and the plan is made again.
   */
  #slowed(what: string, factor: number): void {
    if (factor < HOLD_BREAK) return;
    this.#slowedAt.set(what, this.#decisions);
    this.#lastSlowed = this.#decisions;
    const plan = this.#plan;
    if (!plan || !this.#uses(plan, what)) return;
    this.#stale ??= `${what.replace(/^link:/, 'moving ')} ${factor.toFixed(1)}× slower`;
    // Its frames so far ran before: its next window starts afresh (a trial's windows run on, or
    // a plan crowded by its own trial would never be timed) — once a window: an estimate that
    // swings back and forth (the endpoint's link at two frames in flight: its tiles' network and
    // the server's handling on the same cores) restarted it every other frame, and GPU +
    // accelerator's 3D plan was never timed in 43 warm-up frames.
    if (this.#timer && !this.#trial && !this.#timer.restartedForSlowdown) {
      const timer = this.#newWindow('slowdown');
      if (timer) timer.restartedForSlowdown = true;
    }
    this.#swung.add(what); // the window under way runs with it
  }

  /** The running plan's record speaks for it now: nothing it uses became 3× slower since. */
  #trustsRunning(plan: Plan, record: PlanRecord | undefined): boolean {
    return !!record && !this.#slowedSince(plan, record.at, record.swung);
  }

  /** Whether the plan runs a stage on target `what`, or moves frames over link `what`. */
  #uses(plan: Plan, what: string): boolean {
    return plan.cycle.some((f) => f.includes(what)) || what in plan.loads;
  }

  /**
   * Whether something the plan uses became `HOLD_BREAK`× slower after decision `since` (but for
   * what did so in the window measured then, `swung`: the same again is no news).
   */
  #slowedSince(plan: Plan, since: number, swung?: ReadonlySet<string>): boolean {
    for (const [what, at] of this.#slowedAt)
      if (at >= since && !swung?.has(what) && this.#uses(plan, what)) return true;
    return false;
  }

  /**
   * A frame's own work outside its stages and moves (recording, submitting, presenting), which
   * every plan pays: the plans and predictions count it once a frame.
   */
  reportFrame(ms: number): void {
    this.model.record(LatencyModel.frameKey(this.#bucket), ms);
  }

  /** The frame's own work the plans count (ms; undefined until measured). */
  get frameMs(): number | undefined {
    return this.model.estimate(LatencyModel.frameKey(this.#bucket))?.mean;
  }

  reportTransfer(from: string, to: string, ms: number): void {
    const key = LatencyModel.transferKey(from, to, this.#bucket);
    this.model.record(key, ms);
    // A move the plan relies on, measured far from what the plan assumed (or for the first time).
    const plan = this.#plan;
    const assumed = plan?.loads[linkName(from, to)];
    if (plan && assumed !== undefined) {
      const basis = this.#basis.get(key);
      const now = this.model.estimate(key)!.mean;
      if (basis === undefined || Math.abs(now - basis) > this.options.replanOnChange * basis)
        this.#stale ??= `moving ${from} → ${to} now ${now.toFixed(1)} ms`;
      const was = basis ?? this.options.transferPriorMs;
      if (!this.model.estimate(key)!.unconfirmed) this.#slowed(linkName(from, to), now / was);
    }
  }

  /**
   * A target failed (an error or a time-out). Excluded at once with a back-off counted per
   * target: failures of frames already in flight when it was excluded are the same incident,
   * and only a failed probe doubles the back-off. The plan is patched at once (each stage on the
   * target moves to its fastest other target) and re-planned at the next `maintain`.
   */
  reportFailure(target: string, reason: string): void {
    const now = this.#clock();
    const [first, max] = this.options.backoffMs;
    const h = this.#health.get(target);
    if (h && !h.probe) return; // already excluded: the same outage
    const backoff = h ? Math.min(max, h.backoff * 2) : first;
    this.#health.set(target, { until: now + backoff, backoff, reason, probe: null });
    this.#calibrated = false;
    this.#predictions.clear();
    if (this.policy === 'static') return;
    const plan = this.#plan;
    if (plan && !this.#planUsable()) {
      const replace = (t: string, s: number) => {
        if (this.allowed(t)) return t;
        try {
          return this.#fastest(s);
        } catch {
          return t; // nothing else implements it: the engine fails over or skips the stage
        }
      };
      const cycle = plan.cycle.map((frame) => frame.map(replace));
      const patched = rescore(this.#problem(), this.costs, { ...plan, cycle });
      if (patched) {
        this.#logChanges(plan, patched, this.#reason(plan, null, reason));
        this.#adopt(patched);
        this.#adoptedAt = -Infinity; // a patch, not a choice: the next maintain plans again
      }
    } else if (!plan) {
      this.#stages.forEach((stage, s) => {
        if (stage.targets.includes(target))
          this.#log({ stage: s, kind: stage.kind, from: target, to: `not ${target}`, reason });
      });
    }
    this.#stale = `${target} failed (${reason})`;
  }

  /**
   * Predicted frames per second for a strategy: the plan that strategy runs (this scheduler's
   * own, when it is that strategy's), at this scheduler's frames in flight, with a range from
   * the estimates' spread and what 1–4 frames in flight would give. Searches are cached for a
   * second of clock time (the panel asks often).
   */
  predict(strategy: Strategy): Prediction | null {
    if (this.#stages.length === 0) return null;
    const now = this.#clock();
    const cached = this.#predictions.get(strategy);
    if (cached && now - cached.at < PREDICTION_TTL_MS) return cached.value;
    const value = this.#predictNow(strategy);
    this.#predictions.set(strategy, { at: now, value });
    return value;
  }

  /**
   * The frames in flight to run (export, batches): the best plan at each count from 1 to `max`
   * (a memory budget the engine reports), and the smallest count within 3% of the fastest.
   */
  recommendInFlight(max = MAX_IN_FLIGHT): { inFlight: number; fps: number[] } | null {
    if (this.#stages.length === 0 || this.calibrating) return null;
    const r = recommend(this.#problem(), this.costs, {
      max,
      allowed: (t) => this.allowed(t),
      splits: strategySplits(this.options.strategy),
    });
    return r && { inFlight: r.inFlight, fps: r.fps };
  }

  #predictNow(strategy: Strategy): Prediction | null {
    const problem = this.#problem();
    const allowed = (t: string) => {
      const info = this.#targets.get(t);
      return !!info && strategyAllows(strategy, info) && this.isHealthy(t);
    };
    const splits = strategySplits(strategy);
    const k = this.options.inFlight;
    const own = strategy === this.options.strategy && this.#plan && this.#planUsable();
    const plan = own
      ? rescore(problem, this.costs, this.#plan!)
      : planFor(problem, this.costs, { inFlight: k, allowed, splits });
    if (!plan) return null;
    const candidate = this.#candidate(plan);
    const { scale, state, trusted } = this.#measuredScale(candidate, !!own);
    const rate = (period: number) => 1000 / (period * scale);
    const [slower, faster] = [this.#shifted(1), this.#shifted(-1)];
    // The same plan at other frames in flight (cheap: no search), each with its range.
    const byInFlight: number[] = [];
    const byInFlightRange: [number, number][] = [];
    for (let n = 1; n <= MAX_IN_FLIGHT; n++) {
      const p = n === plan.inFlight ? plan : rescore(problem, this.costs, plan, n);
      byInFlight.push(p ? rate(p.period) : 0);
      const slow = rescore(problem, slower, plan, n)?.period ?? p?.period;
      const fast = rescore(problem, faster, plan, n)?.period ?? p?.period;
      byInFlightRange.push(slow && fast ? [rate(slow), rate(fast)] : [0, 0]);
    }
    const pipelined = rescore(problem, this.costs, plan, UNBOUNDED);
    const slow = rescore(problem, slower, plan)?.period;
    const fast = rescore(problem, faster, plan)?.period;
    return {
      fps: rate(plan.period),
      low: rate(slow ?? plan.period),
      high: rate(fast ?? plan.period),
      serialFps: byInFlight[0],
      pipelinedFps: rate(pipelined?.period ?? plan.period),
      byInFlight,
      byInFlightRange,
      transferMs: Object.entries(plan.loads)
        .filter(([r]) => r.startsWith('link:'))
        .reduce((sum, [, ms]) => sum + ms, 0),
      utilization: plan.utilization,
      plan,
      basis: scale === 1 ? 'model' : 'measured',
      timed: candidate.record
        ? {
            fps: 1000 / candidate.record.ms,
            framesAgo: this.#decisions - candidate.record.at,
            sibling: !!candidate.sibling,
            state,
            trusted,
            drift: plan.period / candidate.record.predicted,
          }
        : null,
    };
  }

  /**
   * What the plan's own frames measured over what the model says of it now, wherever their
   * measurement holds (`scoreCandidates`: fresh, and the model's view of the plan has not moved
   * since, or it is the running plan timed within its last windows). Past a window's noise
   * (`PREDICT_AGREE`) its figures are what its frames ran at, though the choice between plans
   * calls up to 15% noise: a model 10% off is a panel figure 10% off (in the browser bench 31 of
   * 32 predictions were then within 15% of what the frames measured). A plan on the same targets
   * at other shares (`sibling`), or one whose estimates moved since it ran, scales only where its
   * ratio is beyond `agree`; else 1. The running plan, no longer trusted (a confirmed slowdown
   * since), is the model's period times the model's recent error about it where the model
   * overrated it.
   */
  #measuredScale(
    candidate: Candidate<Plan>,
    running: boolean,
  ): { scale: number; state: Scored<Plan>['state']; trusted: boolean } {
    const { plan, record } = candidate;
    if (!record) return { scale: 1, state: 'unmeasured', trusted: false };
    const trusted = running && this.#trustsRunning(plan, record);
    const [scored] = scoreCandidates(
      [{ ...candidate, running: trusted, current: running }],
      this.#decisions,
      this.#recordRules(),
    );
    // The running plan, trusted and timed within its last windows, runs at what they measured
    // however far its estimates moved: a confirmed slowdown ends the trust, so what moved them is
    // a jump awaiting its next sample (Auto's video row at two in flight was predicted at 0.39
    // of what it ran, its window four frames old, its estimates 3.85× up on one sample).
    const recent = this.#decisions - record.at <= this.#recordRules().recent;
    const jumped = trusted && !candidate.sibling && recent && scored.state === 'unmeasured';
    const state = jumped ? 'remembered' : scored.state;
    const period = jumped ? record.ms : scored.period;
    const own = !candidate.sibling && (state === 'measured' || (state === 'remembered' && trusted));
    const scale = (own && state === 'measured' ? record.ms : period) / plan.period;
    const far = Math.abs(scale - 1) > (own ? PREDICT_AGREE : RECORD_RULES.agree);
    return { scale: far ? scale : 1, state, trusted };
  }

  #recordRules(): RecordRules {
    return {
      ...RECORD_RULES,
      moved: this.options.replanOnChange,
      // The last two windows of the running plan's own frames.
      recent: 2 * (this.options.trialFrames + this.options.inFlight),
    };
  }
}

const CHANGE_LOG = 50;
/** Decisions between two trials of a plan only a model shown wrong prefers (~10 windows). */
const TRY_EVERY = 100;
/** A plan is held for at most this many windows' worth of decisions while it is not timed. */
const HOLD_WINDOWS = 3;
/** A target or move this many times slower than the plan assumed ends its hold at once. */
const HOLD_BREAK = 3;
/** Longer between two decisions (or 4 plan periods) is a pause, not time the plan ran. */
const EXPLORE_GAP_MS = 1000;
const FIRST_PLAN = 'first plan, after calibration';
/** The re-plan after a trial: its choice is measured, so no hysteresis holds the last plan. */
const TRIAL_DONE = 'plans measured';

const sameCycle = (a: string[][], b: string[][]) =>
  a.length === b.length && a.every((frame, f) => frame.every((t, s) => t === b[f][s]));
const PREDICTION_TTL_MS = 1000;
/**
 * A plan's own timed frames within this fraction of the model: the model's figure (a window's
 * noise); past it, what they ran at.
 */
const PREDICT_AGREE = 0.05;
/** "Frames overlapping freely", for the pipeline model: more than any stage count needs. */
const UNBOUNDED = 64;

/** "gpu", or "gpu 60% + remote 40%" for a split stage. */
function describeShares(shares: Shares): string {
  const used = shares.filter((x) => x.share > 0.005);
  if (used.length === 1) return used[0].target;
  return used.map((x) => `${x.target} ${Math.round(x.share * 100)}%`).join(' + ');
}
