/**
 * The single owner of the frames in flight: how many may run at once, which are running, who
 * waits for room, and the one frame that runs alone. Frames are promises (they settle when the
 * frame is done); `render` starts one and `requestFrame` schedules work for the next display
 * frame (requestAnimationFrame in a browser). No DOM and no Svelte.
 *
 * A frame that only records GPU work is done when it is submitted, long before the GPU has run
 * it: so that a source producing frames without pause (video playback, the 3D scene, a camera)
 * cannot grow the GPU's queue without bound, `slot` also waits while `maxOnGpu` finished frames
 * are still running on the GPU (`track`'s `onGpu` says until when). A single frame asked for
 * (`request`, `room`) does not wait for the GPU.
 */
export class FrameLoop<T> {
  /** Frames that may be in flight at once (1–4), read at each decision. */
  readonly #limit: () => number;
  readonly #render: () => unknown;
  readonly #requestFrame: (callback: () => void) => void;
  readonly #inFlight = new Set<Promise<T>>();
  readonly #maxOnGpu: number;
  /** Frames done here whose GPU work is not finished yet. */
  readonly #onGpu = new Set<Promise<unknown>>();
  /** Callers waiting for room to start a frame. */
  #waiting = 0;
  /** Sources waiting in `slot`, woken by `gpuWorkLost` (which clears the GPU queue's count). */
  readonly #slotWaiters = new Set<() => void>();
  /** A frame asked for while the loop was full: rendered when one finishes. */
  #again = false;
  #requested = false;
  /** Held while a frame runs alone (no other frame before or during it). */
  #alone: Promise<void> | null = null;

  constructor(
    limit: () => number,
    render: () => unknown,
    requestFrame: (callback: () => void) => void,
    maxOnGpu = Infinity,
  ) {
    this.#maxOnGpu = maxOnGpu;
    this.#limit = limit;
    this.#render = render;
    this.#requestFrame = requestFrame;
  }

  get running(): number {
    return this.#inFlight.size;
  }

  /** Renders at the next display frame (once, however often asked before it). */
  request(): void {
    if (this.#requested) return;
    this.#requested = true;
    this.#requestFrame(() => {
      this.#requested = false;
      // A frame with CPU stages spans several tasks: at most the limit at once.
      if (this.#inFlight.size >= this.#limit()) this.#again = true;
      else void this.#render();
    });
  }

  /** The most frames in flight now (the caller's one setting). */
  get limit(): number {
    return this.#limit();
  }

  /** Frames finished here whose GPU work is still running. */
  get onGpu(): number {
    return this.#onGpu.size;
  }

  /** No room for a source's next frame: the limit in flight, or the GPU's queue full. */
  #full(): boolean {
    return this.#inFlight.size >= this.#limit() || this.#onGpu.size >= this.#maxOnGpu;
  }

  /** What to wait on while full: a frame in flight, or a frame's GPU work. */
  #anyDone(): Promise<unknown> {
    return Promise.race([...this.#inFlight, ...this.#onGpu]);
  }

  /**
   * Resolves when a source may make its next frame: fewer than the limit in flight, and fewer
   * than `maxOnGpu` finished frames still on the GPU.
   */
  async slot(): Promise<void> {
    while (this.#full()) await this.#doneOrCleared();
  }

  /**
   * A frame or its GPU work done, or the GPU queue cleared. Not a race with one promise for the
   * clearing: it settles only at a device loss, and every wait would have left a reaction on it
   * holding the frame's result until then (a frame a wait, for as long as the device lives).
   */
  #doneOrCleared(): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        this.#slotWaiters.delete(wake);
        resolve();
      };
      this.#slotWaiters.add(wake);
      this.#anyDone().then(wake, wake);
    });
  }

  /**
   * Waits for room to start a frame: below the limit, and no frame running alone unless this is
   * it. Resolves in the task the caller should start its frame in (then `track` it).
   */
  async room({ alone = false }: { alone?: boolean } = {}): Promise<void> {
    this.#waiting++;
    try {
      while (this.#inFlight.size >= this.#limit() || (this.#alone && !alone))
        await Promise.race([...this.#inFlight, ...(alone || !this.#alone ? [] : [this.#alone])]);
    } finally {
      this.#waiting--;
    }
  }

  /**
   * Counts `frame` in flight until it settles (then a frame asked for meanwhile is rendered), and
   * on the GPU until the promise `onGpu` returns for its result settles.
   */
  track(frame: Promise<T>, onGpu?: (result: T) => Promise<unknown> | undefined): Promise<T> {
    const tracked = frame.finally(() => {
      this.#inFlight.delete(tracked);
      if (this.#again) {
        this.#again = false;
        this.request();
      }
    });
    this.#inFlight.add(tracked);
    if (onGpu)
      void frame.then(
        (result) => {
          const running = onGpu(result);
          if (!running) return;
          const held: Promise<unknown> = running
            .catch(() => {})
            .finally(() => this.#onGpu.delete(held));
          this.#onGpu.add(held);
        },
        () => {},
      );
    return tracked;
  }

  /**
   * The device was lost: the GPU work of its frames is gone with it. Its promises may never
   * settle (a lost device's work can stay pending), and two of them held `slot` shut for good.
   */
  gpuWorkLost(): void {
    this.#onGpu.clear();
    for (const wake of [...this.#slotWaiters]) wake();
  }

  /**
   * Resolves when no frame is in flight, asked for or (with `waiting`) waiting to start: tests
   * sample counters between frames.
   */
  async idle({ waiting = true }: { waiting?: boolean } = {}): Promise<void> {
    while (
      this.#inFlight.size > 0 ||
      this.#requested ||
      this.#again ||
      (waiting && this.#waiting > 0)
    ) {
      await (this.#inFlight.size > 0
        ? Promise.race(this.#inFlight).catch(() => {})
        : new Promise<void>((r) => this.#requestFrame(() => r())));
    }
  }

  /**
   * Runs `work` (which starts one frame with `room({ alone: true })`) with no other frame in
   * flight before or during it; frames asked for meanwhile wait for it.
   */
  async alone<R>(work: () => Promise<R>): Promise<R> {
    while (this.#alone) await this.#alone;
    let release!: () => void;
    this.#alone = new Promise<void>((r) => (release = r));
    try {
      // Frames asked for from now on wait for this one (not counted: they wait for us).
      await this.idle({ waiting: false });
      return await work();
    } finally {
      this.#alone = null;
      release();
    }
  }
}
