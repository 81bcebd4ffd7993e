/**
 * A failure that can happen at any time over a long life (a worker crashing, a worker closing):
 * work guarded by it settles with its own result, or rejects as soon as the wire trips.
 *
 * Why not `Promise.race([work, failed])`: every race leaves a reaction on the long-lived `failed`
 * promise, and that reaction keeps the race's promise — and so its result — reachable for as long
 * as `failed` lives. With a worker's results (frames, pixel buffers) that kept every result of the
 * worker's life (issue 15's soak: ~300 KB and a VideoFrame per frame). A guard here removes its
 * waiter when it settles: nothing is left on the wire.
 */
export class Tripwire {
  #tripped: { error: unknown } | null = null;
  readonly #waiters = new Set<(error: unknown) => void>();

  /** Fails every guarded call still waiting, and every later one (first trip wins). */
  trip(error: unknown): void {
    if (this.#tripped) return;
    this.#tripped = { error };
    for (const fail of this.#waiters) fail(error);
    this.#waiters.clear();
  }

  get tripped(): boolean {
    return this.#tripped !== null;
  }

  /** Calls still waiting (0 once each has settled: nothing is kept). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** `work`'s result, or the trip's error if it comes first. */
  guard<T>(work: Promise<T>): Promise<T> {
    const tripped = this.#tripped;
    if (tripped) {
      work.catch(() => {}); // its outcome no longer matters
      return Promise.reject(tripped.error);
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiters.add(reject);
      work.then(
        (value) => {
          this.#waiters.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.#waiters.delete(reject);
          reject(error);
        },
      );
    });
  }
}
