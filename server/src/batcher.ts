// Dynamic batching for one model. Requests wait in a bounded FIFO queue; while the model is idle
// the oldest request and the queued requests compatible with it (same key: same non-batch shapes)
// form a batch of at most maxBatchSize rows. One batch runs at a time, so requests that arrive
// during a run gather into the next batch.
// - adaptive (the server's policy): a batch goes as soon as the model is idle, with whatever is
//   queued. A request that finds the model idle runs at once, so batching never costs latency at
//   low load; under load, what arrived during a run goes together.
// - waiting (Triton's dynamic batcher): a batch goes at once when it reaches maxBatchSize or a
//   preferred size, otherwise when its oldest request has waited maxQueueDelayMs.
// A request cancelled while its batch runs is answered at once; the batch's AbortSignal fires
// when every request in it has been cancelled, so a runner that can stop a run frees the model.
// Time comes from an injected clock, so tests step it by hand.

export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface BatchPolicy {
  /** false: every request runs alone (no dynamic batching, or max_batch_size 0). */
  merge: boolean;
  /** true: never wait for a batch to fill while the model is idle (see the file's comment). */
  adaptive: boolean;
  maxBatchSize: number;
  maxQueueDelayMs: number;
  preferredBatchSizes: readonly number[];
  maxQueueSize: number;
}

export interface BatchOutcome<R> {
  result: R;
  queueMs: number;
  computeMs: number;
  /** Rows in the batch this request ran in. */
  batchSize: number;
}

export class QueueFullError extends Error {
  constructor(size: number) {
    super(`queue is full (${size} requests waiting); retry later`);
    this.name = 'QueueFullError';
  }
}

interface Entry<T, R> {
  payload: T;
  key: string;
  rows: number;
  enqueuedAt: number;
  resolve(outcome: BatchOutcome<R>): void;
  reject(error: unknown): void;
}

export interface Submission<R> {
  done: Promise<BatchOutcome<R>>;
  /**
   * Rejects `done` with `reason`: a queued request leaves the queue; a running one stops being
   * waited for, and its batch is aborted once no request in it is waited for. False when the
   * request had already finished.
   */
  cancel(reason: Error): boolean;
}

/** The batch running now: its requests, those cancelled, and the signal to stop it. */
interface Running<T, R> {
  entries: Entry<T, R>[];
  cancelled: Set<Entry<T, R>>;
  controller: AbortController;
}

export interface BatcherHooks {
  /** The queue depth changed. */
  onDepth?(depth: number): void;
  /** A batch of `rows` rows started. */
  onStart?(rows: number): void;
  /** A batch of `rows` rows finished (successfully or not) after `computeMs`. */
  onBatch?(rows: number, computeMs: number): void;
}

export class Batcher<T, R> {
  readonly #policy: BatchPolicy;
  readonly #clock: Clock;
  readonly #execute: (payloads: T[], signal: AbortSignal) => Promise<R[]>;
  readonly #queue: Entry<T, R>[] = [];
  #running: Running<T, R> | undefined;
  #timer: unknown = undefined;
  #idleWaiters: (() => void)[] = [];
  readonly #hooks: BatcherHooks;

  constructor(
    policy: BatchPolicy,
    clock: Clock,
    execute: (payloads: T[], signal: AbortSignal) => Promise<R[]>,
    hooks: BatcherHooks = {},
  ) {
    this.#policy = policy;
    this.#clock = clock;
    this.#execute = execute;
    this.#hooks = hooks;
  }

  #onChange(): void {
    this.#hooks.onDepth?.(this.#queue.length);
  }

  /** Requests waiting to run (not counting the batch running now). */
  get depth(): number {
    return this.#queue.length;
  }

  get busy(): boolean {
    return this.#running !== undefined;
  }

  /** Resolves once nothing is queued or running (a timed-out batch may still be running). */
  idle(): Promise<void> {
    if (!this.busy && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Queues a request of `rows` rows; throws QueueFullError when the queue is full. */
  submit(payload: T, key: string, rows: number): Submission<R> {
    if (this.#queue.length >= this.#policy.maxQueueSize)
      throw new QueueFullError(this.#queue.length);
    let entry!: Entry<T, R>;
    const done = new Promise<BatchOutcome<R>>((resolve, reject) => {
      entry = { payload, key, rows, enqueuedAt: this.#clock.now(), resolve, reject };
    });
    this.#queue.push(entry);
    this.#onChange();
    this.#pump();
    return {
      done,
      cancel: (reason) => {
        const i = this.#queue.indexOf(entry);
        if (i >= 0) {
          this.#queue.splice(i, 1);
          this.#onChange();
          entry.reject(reason);
          this.#pump();
          return true;
        }
        const running = this.#running;
        if (!running?.entries.includes(entry) || running.cancelled.has(entry)) return false;
        running.cancelled.add(entry);
        entry.reject(reason);
        if (running.cancelled.size === running.entries.length) running.controller.abort(reason);
        return true;
      },
    };
  }

  #pump(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    if (this.busy) return;
    if (this.#queue.length === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
      return;
    }
    const batch = this.#pick();
    if (batch) {
      void this.#run(batch);
      return;
    }
    const wait = this.#queue[0].enqueuedAt + this.#policy.maxQueueDelayMs - this.#clock.now();
    this.#timer = this.#clock.setTimer(
      () => {
        this.#timer = undefined;
        this.#pump();
      },
      Math.max(0, wait),
    );
  }

  /** The batch to run now, or undefined to keep waiting for more requests. */
  #pick(): Entry<T, R>[] | undefined {
    const head = this.#queue[0];
    const { merge, maxBatchSize, maxQueueDelayMs, preferredBatchSizes } = this.#policy;
    if (!merge) return [head];
    // Compatible requests in arrival order, as long as they fit; remember the prefix lengths
    // at which the batch hits a preferred size.
    const picked: Entry<T, R>[] = [];
    let rows = 0;
    let preferredAt = 0;
    for (const e of this.#queue) {
      if (e.key !== head.key || rows + e.rows > maxBatchSize) continue;
      picked.push(e);
      rows += e.rows;
      if (preferredBatchSizes.includes(rows)) preferredAt = picked.length;
      if (rows === maxBatchSize) return picked;
    }
    if (this.#policy.adaptive) return picked;
    if (preferredAt > 0) return picked.slice(0, preferredAt);
    if (this.#clock.now() - head.enqueuedAt >= maxQueueDelayMs) return picked;
    return undefined;
  }

  async #run(batch: Entry<T, R>[]): Promise<void> {
    for (const e of batch) this.#queue.splice(this.#queue.indexOf(e), 1);
    const controller = new AbortController();
    this.#running = { entries: batch, cancelled: new Set(), controller };
    this.#onChange();
    const start = this.#clock.now();
    const rows = batch.reduce((n, e) => n + e.rows, 0);
    this.#hooks.onStart?.(rows);
    try {
      const results = await this.#execute(
        batch.map((e) => e.payload),
        controller.signal,
      );
      const end = this.#clock.now();
      this.#hooks.onBatch?.(rows, end - start);
      batch.forEach((e, i) =>
        e.resolve({
          result: results[i],
          queueMs: start - e.enqueuedAt,
          computeMs: end - start,
          batchSize: rows,
        }),
      );
    } catch (error) {
      this.#hooks.onBatch?.(rows, this.#clock.now() - start);
      for (const e of batch) e.reject(error);
    } finally {
      this.#running = undefined;
      this.#onChange();
      this.#pump();
    }
  }
}
