/** One finished frame, as the live panel sees it. */
export interface FrameSample {
  /** Clock time the frame finished (ms). */
  finishedAt: number;
  /** From the frame's start to its end (ms). */
  ms: number;
  /** When each target worked on the frame ([start, end], clock ms): "gpu", "cpu", an ML target, "transfer". */
  spans: Record<string, readonly (readonly [number, number])[]>;
}

/**
 * Frames per second, frame time and per-target busy share over the last `window` frames.
 * FPS is frames finished over the time they took: (n − 1) intervals between the first and the
 * last finish. A busy share is the part of that time a target was at work on any frame — the
 * union of the frames' intervals, so a target serving two frames at once is busy once, and no
 * share can pass 100%. Pure: the caller stamps the samples with its clock.
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

  /** Each target's busy share of the window's span, in [0, 1] (see the class comment). */
  utilization(): Record<string, number> {
    const s = this.#samples;
    const span = this.span;
    const out: Record<string, number> = {};
    if (span <= 0) return out;
    const from = s[0].finishedAt;
    const to = s[s.length - 1].finishedAt;
    const byTarget = new Map<string, [number, number][]>();
    for (const sample of s)
      for (const [target, spans] of Object.entries(sample.spans)) {
        const list = byTarget.get(target) ?? [];
        for (const [a, b] of spans)
          if (b > from && a < to) list.push([Math.max(a, from), Math.min(b, to)]);
        byTarget.set(target, list);
      }
    for (const [target, list] of byTarget) out[target] = unionLength(list) / span;
    return out;
  }
}

/** The total length covered by intervals that may overlap. */
export function unionLength(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}
