import type { Engine } from '../engine';

/**
 * What a frame source (the video player, the camera, the 3D scene) needs of the app: the engine,
 * room for a frame, and where to say what it shows.
 */
export interface FrameSourceHost {
  readonly engine: Engine | null;
  /** Renders the current source now (resolves when the frame is done). */
  renderNow(): Promise<unknown>;
  /** Resolves when another frame may start (fewer than the most are in flight). */
  frameSlot(): Promise<void>;
  /**
   * Starts a frame of the current source; resolves once it has taken the source. `live`: a frame
   * of the source's stream, even when the stream stops before the frame starts (the frame being
   * uploaded when the video is paused is the stream's last, not a still).
   */
  startFrame(options?: { live?: boolean }): Promise<{ done: Promise<unknown> }>;
  /** The source's name and size changed (a video was opened or removed). */
  showSource(source: { name: string; width: number; height: number } | null): void;
  /** Per-frame effects (grain) are seeded by the frame number. */
  setFrameIndex(index: number): void;
  /** Playback stopped on an error. */
  onError(reason: string): void;
  /**
   * The stream jumped (a seek while playing): the time from the last frame to the next is not
   * the plan's, and the scheduler's timing window starts again (see `Scheduler.interrupted`).
   */
  interrupted(): void;
}
