/** One finished frame, as the live panel sees it. */
export interface FrameSample {
  /** Clock time the frame finished (ms). */
  finishedAt: number;
  /** From the frame's start to its end (ms). */
  ms: number;
  /** Time each target spent on the frame (ms): "gpu", "cpu", an ML target, "link". */
  busy: Record<string, number>;
}

/**
 * Frames per second, frame time and per-target busy share over the last `window` frames.
 * FPS is frames finished over the time they took: (n − 1) intervals between the first and the
 * last finish. Pure: the caller stamps the samples with its clock.
 */
export class FrameMeter {
  readonly window: number;
  #samples: FrameSample[] = [];
  /** Frames recorded since the last reset. */
  frames = 0;

  constructor(window = 60) {
    this.window = window;
  }

  record(sample: FrameSample): void {
    this.#samples.push(sample);
    if (this.#samples.length > this.window) this.#samples.shift();
    this.frames++;
  }

  reset(): void {
    this.#samples = [];
    this.frames = 0;
  }

  get samples(): readonly FrameSample[] {
    return this.#samples;
  }

  /** Milliseconds between the first and the last frame of the window. */
  get span(): number {
    const s = this.#samples;
    return s.length < 2 ? 0 : s[s.length - 1].finishedAt - s[0].finishedAt;
  }

  /** Frames per second over the window (0 until two frames finished). */
  get fps(): number {
    const span = this.span;
    return span > 0 ? ((this.#samples.length - 1) * 1000) / span : 0;
  }

  /** Mean time a frame took, start to end (ms). */
  get frameMs(): number {
    const s = this.#samples;
    return s.length === 0 ? 0 : s.reduce((a, x) => a + x.ms, 0) / s.length;
  }

  /**
   * Each target's busy time as a share of the window's span: the frames after the first (the
   * first one's work lies before the span starts).
   */
  utilization(): Record<string, number> {
    const span = this.span;
    const out: Record<string, number> = {};
    if (span <= 0) return out;
    for (const sample of this.#samples.slice(1))
      for (const [target, ms] of Object.entries(sample.busy))
        out[target] = (out[target] ?? 0) + ms / span;
    return out;
  }
}
