import type { OwnedFrame } from '../media/video/frames';

/** Where a held frame goes back after a device loss (the engine's `setSourceFrame`). */
export interface FrameTaker {
  setSourceFrame(frame: VideoFrame): Promise<void>;
}

/**
 * The one decoded frame a video or camera source keeps: the frame on screen, so a new device can
 * be given it again. Holding a new frame closes the one before; every other frame is closed by
 * its source as soon as it is uploaded or dropped.
 */
export class FrameOnScreen {
  #frame: OwnedFrame | null = null;

  get frame(): OwnedFrame | null {
    return this.#frame;
  }

  /** Keeps `frame` (now on screen), closing the one before. */
  hold(frame: OwnedFrame): void {
    if (this.#frame !== frame) this.#frame?.close();
    this.#frame = frame;
  }

  /** Gives a new engine (after a device loss) the frame on screen, if there is one. */
  async restore(engine: FrameTaker | null): Promise<void> {
    if (this.#frame && engine) await engine.setSourceFrame(this.#frame.frame);
  }

  /** Closes the frame on screen (the source stopped or was removed). */
  release(): void {
    this.#frame?.close();
    this.#frame = null;
  }
}
