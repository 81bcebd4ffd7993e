import type { Plan } from './planner';

/**
 * Plans measured as they ran. The pipeline model is exact for independent devices, but on a
 * machine where the "GPU" is a software rasteriser, the CPU pool, a WASM runtime and a local
 * endpoint share the same cores, two frames in flight slow each other down in ways no per-stage
 * estimate shows: a split the model prefers can run a third slower than the plan it replaced.
 * So Auto runs the plans it cannot tell apart for a few frames each and keeps the one that was
 * fastest, and every plan that ran carries the ratio of what it measured to what was predicted.
 */

/** A plan's identity: its cycle of assignments. */
export const planKey = (plan: Pick<Plan, 'cycle'>): string =>
  plan.cycle.map((frame) => frame.join(',')).join(';');

/**
 * The targets each stage uses, whatever the shares. A model's error here comes from which
 * devices run side by side, so a split measured at 60:40 speaks for the same split at 50:50
 * (re-plans move ratios: without this each ratio was a plan never measured, taken at its word).
 */
export const supportKey = (plan: Pick<Plan, 'cycle'>): string =>
  plan.cycle[0]
    .map((_, s) => [...new Set(plan.cycle.map((frame) => frame[s]))].sort().join('+'))
    .join(',');

/** What a plan achieved when it ran: ms per frame, and the model's period for it then. */
export interface PlanRecord {
  ms: number;
  predicted: number;
  /** The frame count (decisions) when it was measured. */
  at: number;
  /**
   * Consecutive windows `ms` averages (1: this window alone): windows average while the
   * situation holds, never across an interruption (a seek, Compare's restart, a pause).
   */
  windows: number;
  /**
   * What became 3× slower (confirmed) while the plan's frames ran (in this window or an earlier
   * one of the same plan): its rate already has that in it, so the same again since does not end
   * the trust in it (an estimate that swings back and forth).
   */
  swung?: ReadonlySet<string>;
}

/**
 * Times the frames of the plan that runs, from the first frame decided with it: the first
 * `settle − 1` completions may be frames of the previous plan still in the pipeline, the next
 * is the reference, and every `frames` completions after it give one figure (ms per frame).
 */
export class PlanTimer {
  readonly frames: number;
  readonly settle: number;
  /** This window was started again for a slowdown (once a window: see `Scheduler`). */
  restartedForSlowdown = false;
  #from: number | null = null;
  #times: number[] = [];

  constructor(frames: number, settle: number) {
    this.frames = frames;
    this.settle = Math.max(1, settle);
  }

  /** Whether the plan has decided a frame since this window began. */
  get started(): boolean {
    return this.#from !== null;
  }

  /** The plan decided `frame` (the first call marks where the plan's frames start). */
  decided(frame: number): void {
    this.#from ??= frame;
  }

  /** The window so far: frames timed in it, and their ms per frame (null before two). */
  partial(): { frames: number; ms: number } | null {
    const n = this.#times.length - 1;
    if (n < 1) return null;
    return { frames: n, ms: (Math.max(...this.#times) - Math.min(...this.#times)) / n };
  }

  /** A frame was shown at `at` (clock ms); ms per frame when a window is complete, else null. */
  shown(frame: number, at: number): number | null {
    if (this.#from === null || frame < this.#from + this.settle - 1) return null;
    this.#times.push(at);
    if (this.#times.length <= this.frames) return null;
    const first = Math.min(...this.#times);
    const last = Math.max(...this.#times);
    this.#times = [last];
    this.restartedForSlowdown = false;
    return (last - first) / this.frames;
  }
}

/** When a plan's measurement holds, and when it says the model is wrong about it. */
export interface RecordRules {
  /** The model's period for the plan moved more than this fraction since: another situation. */
  moved: number;
  /** Decisions after which a measurement is too old to use. */
  maxAge: number;
  /** Measured within this fraction of predicted: the model is right (noise aside). */
  agree: number;
  /**
   * A plan whose predicted period moved by less than this factor since it ran is remembered by
   * what it measured; past it (a 4× slowdown), the situation changed and the model decides (for
   * the running plan, no longer trusted, with the model's recent error about it: see
   * `scoreCandidates`).
   */
  retryDrift: number;
  /**
   * Decisions within which the running plan's last measurement is what it runs at now, whatever
   * the model's view of it says since (its estimates drift while other work crowds its stages).
   */
  recent: number;
  /**
   * The running plan's recent measurement holds while the model's period for it moved by less
   * than this factor (crowding by other plans drifts it up to 2×; a 4× slowdown is not that).
   */
  runningDrift: number;
}

/** A plan to choose from: the model's period for it now, and what it measured if it ran. */
export interface Candidate<P> {
  plan: P;
  predicted: number;
  record?: PlanRecord;
  /** The record is another plan's on the same targets (other shares): used only while it holds. */
  sibling?: boolean;
  /** The plan running now, its last window trusted (nothing it uses became 3× slower since). */
  running?: boolean;
  /** The plan running now, trusted or not (not trusted: `current` without `running`). */
  current?: boolean;
}

/**
 * A candidate as the choice sees it. `measured`: its measurement holds (the model's view of it
 * moved less than `moved`); `remembered`: the model's view of it drifted moderately since it
 * ran, so its last measured period is a floor until it runs again (for the running plan, while
 * recent, it is the period; past a confirmed slowdown, the model's period times its error about
 * the plan where it overrated it); `unmeasured`: the model's word alone.
 */
export interface Scored<P> extends Candidate<P> {
  period: number;
  state: 'measured' | 'remembered' | 'unmeasured';
  /** Measured further than `agree` from its prediction. */
  off: boolean;
}

/**
 * Each candidate's period by what it measured. A measured plan keeps the model's period while
 * the measured plans agree with the model about as well as each other (noise); where one ran
 * further than `agree` from its prediction, or two disagree by more than that between them,
 * each measured plan's period is the model's times measured over predicted, and each plan never
 * measured is taken to be as far off as the worst measured or remembered one (`modelErrors`).
 */
export function scoreCandidates<P>(
  candidates: Candidate<P>[],
  now: number,
  rules: RecordRules,
): Scored<P>[] {
  const ratio = (c: Candidate<P>) => c.record!.ms / c.record!.predicted;
  const scored = candidates.map((c): Scored<P> => {
    const { record, predicted } = c;
    const fresh = record && now - record.at <= rules.maxAge;
    const drift = fresh ? predicted / record.predicted : 0;
    if (fresh && Math.abs(drift - 1) <= rules.moved)
      return {
        ...c,
        period: predicted,
        state: 'measured',
        off: Math.abs(ratio(c) - 1) > rules.agree,
      };
    // The running plan, timed within the last windows (and trusted: nothing it uses became 3×
    // slower since), runs at what it measured while its estimates drift (up to `runningDrift`).
    if (
      fresh &&
      c.running &&
      !c.sibling &&
      now - record.at <= rules.recent &&
      drift < rules.runningDrift &&
      drift > 1 / rules.runningDrift
    )
      return { ...c, period: record.ms, state: 'remembered', off: false };
    // The running plan, no longer trusted (something it uses became 3× slower), keeps the
    // model's error about it where the model overrated it: a slowdown moves what the model says
    // of the plan, not how far off it is. In the browser the all-GPU video plan ran at 0.8 of
    // the model's period; a crowding spike confirmed as a slowdown left it at the model's word,
    // and a CPU excursion predicted 11% faster than that replaced it and ran 20% slower.
    // (A recent record only, and at most `runningDrift` of credit: an old window, or one timed
    // in a burst, must not hold the plan against a real slowdown.)
    const overrated =
      fresh && c.current && !c.running && !c.sibling && now - record.at <= rules.recent
        ? Math.min(1, Math.max(1 / rules.runningDrift, ratio(c)))
        : 1;
    if (fresh && !c.sibling && drift < rules.retryDrift && drift > 1 / rules.retryDrift) {
      const period = Math.max(predicted * overrated, record.ms);
      return { ...c, period, state: 'remembered', off: false };
    }
    if (overrated < 1)
      return { ...c, period: predicted * overrated, state: 'remembered', off: false };
    return { ...c, period: predicted, state: 'unmeasured', off: false };
  });
  const ratios = modelErrors(scored);
  const wrong = shownWrong(scored, rules.agree);
  // Where the model has been shown wrong, a plan never measured is taken to be as far off as
  // the worst measured one (never better than its prediction): else a re-plan's new split, as
  // optimistic as the one just measured, would win on its word alone.
  const pessimism = Math.max(1, ...ratios);
  for (const x of scored) {
    if (x.state === 'measured' && wrong) x.period = x.predicted * ratio(x);
    if (x.state === 'unmeasured' && wrong) x.period = x.predicted * pessimism;
  }
  return scored;
}

/**
 * How far the model was off (measured ÷ predicted) for each plan with a record that holds: a
 * measured plan's, and a remembered one's — the model's view of it drifted since, but what it
 * ran at against what was predicted then still shows the model's error (in the simulator a trial
 * of a CPU excursion drifted every other plan's estimates and left one measured plan, which
 * agreed with the model; its next plan then won on its word and ran 20% slower than a
 * remembered one).
 */
const modelErrors = <P>(scored: Scored<P>[]) =>
  scored.filter((x) => x.state !== 'unmeasured').map((x) => x.record!.ms / x.record!.predicted);

/**
 * Whether the measured and remembered plans show the model wrong: one ran further than `agree`
 * from its prediction, or two disagree with each other by more than that.
 */
export function shownWrong<P>(scored: Scored<P>[], agree: number): boolean {
  const ratios = modelErrors(scored);
  if (ratios.length === 0) return false;
  const disagree = Math.max(...ratios) > (1 + agree) * Math.min(...ratios);
  return disagree || ratios.some((r) => Math.abs(r - 1) > agree);
}

/**
 * The plans to run before choosing (empty: choose now). Candidates within `margin` of the best
 * period that never ran are run on the first plan of a chain (the model's estimates come from
 * one stage at a time, not from plans running together); a remembered plan that ran faster than
 * the best measured one ran by more than `hysteresis` runs again (its estimates may have absorbed
 * another plan's crowding), where `mayRetry` lets it. Measured against measured: the model's
 * period for the running plan was above what it ran at, and two plans 2% apart in the browser
 * each looked 8% faster than the other's prediction, retried in turn every few hundred frames.
 * The model's favourite first.
 */
export function trialOf<P>(
  scored: Scored<P>[],
  {
    first,
    margin,
    hysteresis,
    mayRetry = () => true,
  }: {
    first: boolean;
    margin: number;
    hysteresis: number;
    mayRetry?: (candidate: Scored<P>) => boolean;
  },
): Scored<P>[] {
  const best = Math.min(...scored.map((x) => x.period));
  const close = scored.filter((x) => x.period <= best * (1 + margin));
  const ran = Math.min(
    ...scored.filter((x) => x.state === 'measured').map((x) => x.record?.ms ?? x.period),
  );
  const retry = close.filter(
    (x) =>
      x.state === 'remembered' &&
      !x.running &&
      !x.current &&
      x.record!.ms < ran * (1 - hysteresis) &&
      mayRetry(x),
  );
  const fresh = first ? close.filter((x) => x.state === 'unmeasured') : [];
  const trial = [...new Set([...fresh, ...retry])];
  if (trial.length === 0 || close.length < 2) return [];
  return trial.sort((a, b) => a.predicted - b.predicted);
}

/**
 * When a remembered plan may run again (by `planKey`, counted in decisions): at once the first
 * time, then after a wait twice the last, from `every`; a confirmed slowdown since its last run
 * starts it over (the situation changed). In the browser two plans 2% apart each ran one noisy
 * window faster than the other and were run again in turn, inside Compare's timed frames.
 */
export class RetryBackoff {
  readonly every: number;
  #last = new Map<string, { times: number; at: number }>();

  constructor(every: number) {
    this.every = every;
  }

  may(key: string, now: number, lastSlowed: number): boolean {
    const last = this.#last.get(key);
    if (!last || last.at < lastSlowed) return true;
    return now - last.at >= this.every * 2 ** (last.times - 1);
  }

  ran(key: string, now: number, lastSlowed: number): void {
    const last = this.#last.get(key);
    const times = last && last.at >= lastSlowed ? last.times + 1 : 1;
    this.#last.set(key, { times, at: now });
  }

  clear(): void {
    this.#last.clear();
  }
}
