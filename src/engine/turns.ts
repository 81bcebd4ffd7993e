/** A frame's place in line: it presents after every frame that started before it. */
export interface Turn {
  /** Whether every earlier frame has presented or given up (checked without waiting). */
  isReady(): boolean;
  /** Resolves once `isReady()`. */
  ready(): Promise<void>;
  /** This frame presented or gave up: the next may go. A second call does nothing. */
  done(): void;
}

/**
 * Hands out turns in the order frames start, so that frames overlapping in flight still present
 * in order (a later frame whose stages ran faster waits for the one before it).
 */
export class Turns {
  #next = 0;
  /** Every turn up to this one is done. */
  #doneUpTo = -1;
  readonly #done = new Set<number>();
  readonly #waiting = new Map<number, () => void>();

  take(): Turn {
    const n = this.#next++;
    const isReady = () => this.#doneUpTo >= n - 1;
    return {
      isReady,
      ready: () =>
        isReady() ? Promise.resolve() : new Promise<void>((r) => this.#waiting.set(n, r)),
      done: () => this.#finish(n),
    };
  }

  #finish(n: number): void {
    if (n <= this.#doneUpTo || this.#done.has(n)) return;
    this.#done.add(n);
    while (this.#done.delete(this.#doneUpTo + 1)) this.#doneUpTo++;
    for (const [turn, wake] of this.#waiting) {
      if (turn > this.#doneUpTo + 1) continue;
      this.#waiting.delete(turn);
      wake();
    }
  }
}
