import { findEffect, type Chain } from '../../effects';
import type { RgbaImage } from '../../effects/image';
import { computeHistogram } from '../../scopes/compute';

/** Width of the source copy the histogram is counted from. */
export const HISTOGRAM_PREVIEW_WIDTH = 256;
/** While a stream plays, the histogram follows it at most this often. */
const LIVE_INTERVAL_MS = 250;

/** Whether an effect draws the source's histogram under its controls (Levels, Curves). */
export function drawsHistogram(effect: string): boolean {
  const def = findEffect(effect);
  return !!def && Object.values(def.params).some((p) => p.kind === 'levels' || p.kind === 'curves');
}

/** Which source frame a histogram counts: the source shown and the frame's number in it. */
export interface SourceFrame {
  source: object | null;
  index: number;
}

/**
 * The histogram of the frame entering the chain, for the Levels and Curves controls (drawn under
 * them, and what Levels' Auto stretches). A small copy of the source is read back with a frame
 * only while the chain has such a stage and the source frame has changed (a playing stream: at
 * most every 250 ms); counting 256 × 144 pixels takes well under a millisecond.
 */
export class SourceHistogramState {
  /** 4 × 256 counts — R, G, B, luma — or null before the first. */
  data = $state.raw<Uint32Array | null>(null);
  /** How many times it was counted (tests read it). */
  updates = $state(0);
  #counted: SourceFrame = { source: null, index: -1 };
  #pending = false;
  #lastAt = -Infinity;

  /** The width of the source copy the next frame should read back (0: none is needed). */
  widthFor(chain: Chain, frame: SourceFrame, live: boolean, now: number): number {
    if (this.#pending) return 0;
    if (frame.source === this.#counted.source && frame.index === this.#counted.index) return 0;
    if (live && now - this.#lastAt < LIVE_INTERVAL_MS) return 0;
    const wanted = chain.stages.some((s) => s.enabled && drawsHistogram(s.effect));
    return wanted ? HISTOGRAM_PREVIEW_WIDTH : 0;
  }

  /** Counts the copy read back with the frame `frame`. */
  submit(frame: SourceFrame, preview: Promise<RgbaImage>, now: number): void {
    this.#pending = true;
    this.#counted = frame;
    this.#lastAt = now;
    preview
      .then(
        (image) => {
          this.data = computeHistogram(image);
          this.updates++;
        },
        () => (this.#counted = { source: null, index: -1 }), // lost with its frame: ask again
      )
      .finally(() => (this.#pending = false));
  }
}
