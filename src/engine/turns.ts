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

/**
 * Work on devices that serve one job at a time (the CPU pool, an AI runtime): a job starts when
 * the one before it on the same device is done. With frames in flight, a stage's time is then
 * what the device spent on it; the wait behind another frame is apart (the scheduler's pipeline
 * model adds that wait itself — counted in the stage's time too, it would be counted twice).
 */
export class DeviceQueues {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #now: () => number;
  /** Per device, the job running (its start) and the last few that ran ([start, end]). */
  readonly #running = new Map<string, number>();
  readonly #ran = new Map<string, [number, number][]>();

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Runs `work` after the jobs queued on `device` before it; settles as `work` does. */
  run<T>(device: string, work: () => Promise<T>): Promise<T> {
    const timed = async () => {
      const start = this.#now();
      this.#running.set(device, start);
      try {
        return await work();
      } finally {
        this.#running.delete(device);
        const ran = this.#ran.get(device) ?? [];
        ran.push([start, this.#now()]);
        if (ran.length > KEPT_JOBS) ran.shift();
        this.#ran.set(device, ran);
      }
    };
    const result = (this.#tails.get(device) ?? Promise.resolve()).then(timed);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.#tails.set(device, tail);
    void tail.then(() => {
      if (this.#tails.get(device) === tail) this.#tails.delete(device);
    });
    return result;
  }

  /** Devices with a job running or waiting. */
  get busy(): number {
    return this.#tails.size;
  }

  /** Whether any of `devices` ran a job at some time between `from` and `to` (clock ms). */
  ranBetween(devices: readonly string[], from: number, to: number): boolean {
    return devices.some((d) => {
      const running = this.#running.get(d);
      if (running !== undefined && running < to) return true;
      return (this.#ran.get(d) ?? []).some(([start, end]) => start < to && end > from);
    });
  }
}

/** Jobs remembered per device for `ranBetween` (a clean segment asks about the last moments). */
const KEPT_JOBS = 8;
