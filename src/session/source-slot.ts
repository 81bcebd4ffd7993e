/** A frame source (a still image, a video file, a camera, the 3D scene) as the slot sees it. */
export interface FrameSource {
  /** Gives a new engine (after a device loss) the frame on screen. */
  restore(): Promise<void> | void;
  /** Stops and lets go of what it holds: another source takes over. */
  release(): Promise<void> | void;
}

/**
 * The one source at a time: taking the slot releases whatever held it (a video opened stops the
 * camera and the scene, an image closes the video, …), and after a device loss the holder alone
 * puts its frame on screen again. No DOM and no Svelte.
 */
export class SourceSlot {
  #current: FrameSource | null = null;
  /** Releases in order: a source taken while the previous one is being released waits for it. */
  #releasing: Promise<void> = Promise.resolve();

  get current(): FrameSource | null {
    return this.#current;
  }

  /** Makes `source` the one source, once the one before it has let go of what it held. */
  take(source: FrameSource): Promise<void> {
    const previous = this.#current;
    this.#current = source;
    if (!previous || previous === source) return this.#releasing;
    this.#releasing = this.#releasing.then(() => previous.release()).catch(() => {});
    return this.#releasing;
  }

  /** Empties the slot if `source` holds it (it stopped, or was removed, by itself). */
  leave(source: FrameSource): void {
    if (this.#current === source) this.#current = null;
  }

  /** Puts the holder's frame on a new engine; a source that cannot is left as it is. */
  async restore(): Promise<void> {
    await Promise.resolve(this.#current?.restore()).catch(() => {});
  }
}
