import type { Clock } from './types';

export interface LatencyOptions {
  /** Samples needed before an estimate is trusted (calibration). */
  calibration: number;
  /** Weight of the newest sample in the moving average (recent samples weigh more). */
  alpha: number;
  /** Samples kept per key for drift detection and percentiles. */
  historySize: number;
  /**
   * This many consecutive samples beyond `driftSigmas` standard deviations, on the same side of
   * the mean, reset the history (the target changed: the scheduler re-plans at once).
   */
  driftRun: number;
  driftSigmas: number;
  /**
   * A single sample this many times above (or below) a calibrated mean is taken at once: the
   * estimate restarts from it, marked unconfirmed until the next sample (a spike is undone by
   * that sample; a real change is confirmed by it).
   */
  jumpFactor: number;
  /**
   * An estimate not updated for this long (ms) is stale: the scheduler may re-measure it, a new
   * sample replaces it outright, and `forgetStale` drops it.
   */
  staleAfterMs: number;
}

export const DEFAULT_LATENCY_OPTIONS: LatencyOptions = {
  calibration: 10,
  alpha: 0.2,
  historySize: 64,
  driftRun: 2,
  driftSigmas: 3,
  jumpFactor: 3,
  staleAfterMs: 10_000,
};

export interface Estimate {
  mean: number;
  /** Standard deviation of recent samples. */
  spread: number;
  count: number;
  /** Enough samples were taken once (a drift reset keeps this: the target is known, it moved). */
  calibrated: boolean;
  /** The estimate restarted from one sample far from the old one (see `jumpFactor`). */
  unconfirmed: boolean;
  /** How many times the history restarted because the target changed. */
  drifts: number;
  /** How many jumps the next sample undid (they were spikes). */
  spikes: number;
  /** The first run (compile, warm-up), kept apart from the estimate. */
  firstRun: number | null;
  /** Clock time of the latest sample. */
  updatedAt: number;
}

interface Entry {
  firstRun: number | null;
  mean: number;
  variance: number;
  count: number;
  calibrated: boolean;
  history: number[];
  /** How many times the history was reset because the target changed. */
  drifts: number;
  spikes: number;
  /** Consecutive samples far from the mean, and on which side (+1 above, −1 below). */
  outliers: number;
  side: number;
  unconfirmed: boolean;
  /** The estimate before an unconfirmed jump. */
  before: Pick<Entry, 'mean' | 'variance' | 'count' | 'history'> | null;
  updatedAt: number;
}

/** Calibration samples (after the first run) that may still be paying for compilation. */
const COLD_SAMPLES = 3;

/** The median of some numbers. */
function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/** How far apart two times are by ratio (1 ms and 2 ms as far as 10 ms and 20 ms). */
function ratioGap(a: number, b: number): number {
  return Math.abs(Math.log(Math.max(a, 1e-3) / Math.max(b, 1e-3)));
}

/** Pixels → a size bucket: one bucket per doubling of the pixel count. */
export function sizeBucket(pixels: number): number {
  return Math.max(0, Math.round(Math.log2(Math.max(1, pixels))));
}

/**
 * Measured history per key — (stage kind, target, size bucket) for compute, (from, to, size) for
 * transfers: an exponentially weighted mean and spread, a count, the first (warm-up) run kept
 * apart, drift handling and bounded history. Pure: time comes from the injected clock.
 */
export class LatencyModel {
  readonly options: LatencyOptions;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock, options: Partial<LatencyOptions> = {}) {
    this.#clock = clock;
    this.options = { ...DEFAULT_LATENCY_OPTIONS, ...options };
  }

  static computeKey(kind: string, target: string, bucket: number): string {
    return `compute|${kind}|${target}|${bucket}`;
  }

  /** A frame's own work outside its stages (see `Problem.frameMs`). */
  static frameKey(bucket: number): string {
    return `frame|${bucket}`;
  }

  static transferKey(from: string, to: string, bucket: number): string {
    return `transfer|${from}|${to}|${bucket}`;
  }

  record(key: string, ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    const now = this.#clock();
    const e = this.#entries.get(key);
    if (!e) {
      // The first run pays for compilation and warm-up: keep it apart.
      this.#entries.set(key, {
        firstRun: ms,
        mean: 0,
        variance: 0,
        count: 0,
        calibrated: false,
        history: [],
        drifts: 0,
        spikes: 0,
        outliers: 0,
        side: 0,
        unconfirmed: false,
        before: null,
        updatedAt: now,
      });
      return;
    }
    const stale = now - e.updatedAt > this.options.staleAfterMs;
    e.updatedAt = now;
    if (e.count === 0) {
      e.history.push(ms);
      e.mean = ms;
      e.variance = 0;
      e.count = 1;
      return;
    }
    if (e.unconfirmed) {
      e.unconfirmed = false;
      // The sample after a jump or a scale: nearer (by ratio) the estimate before it, the jump
      // was a spike and that estimate comes back; nearer the new one, it is confirmed. Judged by
      // the spread instead, a scaled noisy estimate (its spread scaled too) took a sample 1/100
      // of it as confirmation, and scales of scales at two frames in flight made 10 ms GPU
      // stages 20–46 s a frame: predictions at 0.01–0.2 of what the frames ran at.
      if (e.before && ratioGap(ms, e.before.mean) < ratioGap(ms, e.mean)) {
        Object.assign(e, e.before);
        e.spikes++;
      }
      e.before = null;
    }
    e.history.push(ms);
    if (e.history.length > this.options.historySize) e.history.shift();
    const far = this.#far(e, ms);
    const side = Math.sign(ms - e.mean);
    e.outliers = far && (e.outliers === 0 || side === e.side) ? e.outliers + 1 : far ? 1 : 0;
    e.side = side;
    const jump =
      far && (ms >= this.options.jumpFactor * e.mean || ms * this.options.jumpFactor <= e.mean);
    if (far && (stale || jump)) {
      // A fresh look at an estimate nobody measured for a while, or a change too large to be
      // noise: it replaces the old one (a jump until the next sample confirms it).
      if (jump && !stale) {
        e.unconfirmed = true;
        e.before = { mean: e.mean, variance: e.variance, count: e.count, history: e.history };
      }
      e.mean = ms;
      e.variance = 0;
      e.count = 1;
      e.history = [ms];
      e.outliers = 0;
      e.drifts++;
      return;
    }
    if (far && e.outliers < this.options.driftRun) return; // suspect: held out unless it persists
    if (e.outliers >= this.options.driftRun) {
      // Samples keep landing far from the mean, on one side: the target changed. Start over
      // from them (still calibrated: the scheduler trusts them and re-plans).
      const recent = e.history.slice(-this.options.driftRun);
      e.mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      e.variance = recent.reduce((a, b) => a + (b - e.mean) ** 2, 0) / recent.length;
      e.count = recent.length;
      e.history = recent;
      e.outliers = 0;
      e.drifts++;
      return;
    }
    const a = e.count < this.options.calibration ? 1 / (e.count + 1) : this.options.alpha;
    const delta = ms - e.mean;
    e.mean += a * delta;
    e.variance = (1 - a) * (e.variance + a * delta * delta);
    e.count++;
    if (e.count >= this.options.calibration && !e.calibrated) {
      e.calibrated = true;
      this.#withoutColdRuns(e);
    }
  }

  /**
   * The calibration's estimate without its outliers: a run still compiling kernels after the
   * first (tfjs-webgpu compiles a pipeline at its first dispatch of each shape, seconds on a
   * software adapter) weighed as much as nine warm ones, and the plan took the target to be
   * twice as slow as it ran. Among the calibration's first three samples, one slower than the
   * median by more than `driftSigmas` robust σ (σ from the median absolute deviation, at least
   * 10% of the median) is dropped; a slow sample later on is the target's own (crowded by other
   * work, say) and counts.
   */
  #withoutColdRuns(e: Entry): void {
    const samples = e.history.slice(-e.count);
    const median = middle(samples);
    const sigma = Math.max(1.4826 * middle(samples.map((x) => Math.abs(x - median))), 0.1 * median);
    const cold = (x: number, i: number) =>
      i < COLD_SAMPLES && x - median > this.options.driftSigmas * sigma;
    const kept = samples.filter((x, i) => !cold(x, i));
    if (kept.length === samples.length) return;
    e.mean = kept.reduce((a, b) => a + b, 0) / kept.length;
    e.variance = kept.reduce((a, b) => a + (b - e.mean) ** 2, 0) / kept.length;
  }

  /**
   * Until calibrated the spread means little: every sample counts. After, a sample far from the
   * mean (beyond driftSigmas σ, σ at least 10% of the mean) is held out unless more follow it.
   */
  #far(e: Entry, ms: number): boolean {
    const sigma = Math.sqrt(e.variance);
    return (
      e.calibrated &&
      Math.abs(ms - e.mean) > this.options.driftSigmas * Math.max(sigma, 0.1 * e.mean)
    );
  }

  estimate(key: string): Estimate | null {
    const e = this.#entries.get(key);
    if (!e) return null;
    const mean = e.count > 0 ? e.mean : (e.firstRun ?? 0);
    return {
      mean,
      spread: Math.sqrt(e.variance),
      count: e.count,
      calibrated: e.calibrated,
      unconfirmed: e.unconfirmed,
      drifts: e.drifts,
      spikes: e.spikes,
      firstRun: e.firstRun,
      updatedAt: e.updatedAt,
    };
  }

  /** Forgets keys not updated for `staleAfterMs`. */
  forgetStale(): number {
    const cutoff = this.#clock() - this.options.staleAfterMs;
    let forgotten = 0;
    for (const [key, e] of this.#entries) {
      if (e.updatedAt < cutoff) {
        this.#entries.delete(key);
        forgotten++;
      }
    }
    return forgotten;
  }

  /**
   * Scales an estimate by `factor`, unconfirmed (what one stage showed of its target, applied to
   * the target's other stages: a slowdown is usually the device's). The next sample of the key
   * confirms it, or brings the old estimate back.
   */
  scale(key: string, factor: number): void {
    const e = this.#entries.get(key);
    if (!e || e.count === 0 || e.unconfirmed) return;
    e.before = { mean: e.mean, variance: e.variance, count: e.count, history: e.history };
    e.unconfirmed = true;
    e.mean *= factor;
    e.variance *= factor * factor;
    e.count = 1;
    e.history = [e.mean];
    e.outliers = 0;
  }

  /** Takes back an unconfirmed estimate (a jump or a `scale`): the one before it returns. */
  undo(key: string): void {
    const e = this.#entries.get(key);
    if (!e?.unconfirmed || !e.before) return;
    Object.assign(e, e.before);
    e.unconfirmed = false;
    e.before = null;
  }

  /** Drops one key (a target that failed comes back with no history). */
  reset(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
