import type { Clock } from './types';

export interface LatencyOptions {
  /** Samples needed before an estimate is trusted (calibration). */
  calibration: number;
  /** Weight of the newest sample in the moving average (recent samples weigh more). */
  alpha: number;
  /** Samples kept per key for drift detection and percentiles. */
  historySize: number;
  /** This many consecutive samples beyond `driftSigmas` standard deviations reset the history. */
  driftRun: number;
  driftSigmas: number;
  /** History older than this (ms) is forgotten when `forgetStale` runs. */
  staleAfterMs: number;
}

export const DEFAULT_LATENCY_OPTIONS: LatencyOptions = {
  calibration: 10,
  alpha: 0.2,
  historySize: 64,
  driftRun: 4,
  driftSigmas: 3,
  staleAfterMs: 60_000,
};

export interface Estimate {
  mean: number;
  /** Standard deviation of recent samples. */
  spread: number;
  count: number;
  calibrated: boolean;
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
  history: number[];
  outliers: number;
  updatedAt: number;
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
        history: [],
        outliers: 0,
        updatedAt: now,
      });
      return;
    }
    e.updatedAt = now;
    e.history.push(ms);
    if (e.history.length > this.options.historySize) e.history.shift();
    if (e.count === 0) {
      e.mean = ms;
      e.variance = 0;
      e.count = 1;
      return;
    }
    const sigma = Math.sqrt(e.variance);
    // Until calibrated the spread means little: every sample counts. After, a sample far from the
    // mean (beyond driftSigmas σ, σ at least 10% of the mean) is held out unless more follow it.
    const far =
      e.count >= this.options.calibration &&
      Math.abs(ms - e.mean) > this.options.driftSigmas * Math.max(sigma, 0.1 * e.mean);
    e.outliers = far ? e.outliers + 1 : 0;
    if (far && e.outliers < this.options.driftRun) return; // suspect: held out unless it persists
    if (e.outliers >= this.options.driftRun) {
      // Samples keep landing far from the mean: the target changed. Start over from them.
      const recent = e.history.slice(-this.options.driftRun);
      e.mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      e.variance = recent.reduce((a, b) => a + (b - e.mean) ** 2, 0) / recent.length;
      e.count = recent.length;
      e.history = recent;
      e.outliers = 0;
      return;
    }
    const a = e.count < this.options.calibration ? 1 / (e.count + 1) : this.options.alpha;
    const delta = ms - e.mean;
    e.mean += a * delta;
    e.variance = (1 - a) * (e.variance + a * delta * delta);
    e.count++;
  }

  estimate(key: string): Estimate | null {
    const e = this.#entries.get(key);
    if (!e) return null;
    const mean = e.count > 0 ? e.mean : (e.firstRun ?? 0);
    return {
      mean,
      spread: Math.sqrt(e.variance),
      count: e.count,
      calibrated: e.count >= this.options.calibration,
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

  /** Drops one key (a target that failed comes back with no history). */
  reset(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
