import * as Comlink from 'comlink';
import { Tripwire } from '../core/tripwire';

/** Timers the pool uses for task time-outs; injected so tests can step time by hand. */
export interface PoolTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: PoolTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface PoolOptions {
  size: number;
  /** Makes a new worker (the pool owns and terminates it). */
  create: () => Worker;
  /** A task running longer than this is taken as a hung worker. */
  timeoutMs: number;
  timers?: PoolTimers;
  /** Called when a worker is replaced, with the reason. */
  onReplace?: (reason: string) => void;
}

export interface TaskOptions {
  /** Higher runs first; equal priorities run in submission order. */
  priority?: number;
  signal?: AbortSignal;
  /** Names the task in error messages. */
  label?: string;
}

/** A task that failed: the worker crashed or hung on both attempts, or the pool shut down. */
export class WorkerTaskError extends Error {
  override name = 'WorkerTaskError';
}

/** The worker itself failed (crash, hang, unreadable message), as opposed to the task throwing. */
class WorkerFault extends Error {
  override name = 'WorkerFault';
}

export interface PoolStats {
  completed: number;
  failed: number;
  cancelled: number;
  retried: number;
  replaced: number;
}

/**
 * A call into a worker. It builds its message on every attempt (a retry needs fresh transferables:
 * the first attempt's buffers went to the worker that died).
 */
export type Task<Api, T> = (remote: Comlink.Remote<Api>) => Promise<T>;

interface Slot<Api> {
  id: number;
  worker: Worker;
  remote: Comlink.Remote<Api>;
  busy: boolean;
  /** The task running on this worker, if any. */
  current: Queued<Api> | null;
  /** Trips when the worker reports an uncaught error (a crash). */
  crashed: Tripwire;
}

interface Queued<Api> {
  run: Task<Api, unknown>;
  priority: number;
  seq: number;
  attempts: number;
  label: string;
  signal?: AbortSignal;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  settled: boolean;
}

const MAX_ATTEMPTS = 2;

/**
 * A fixed-size pool of workers driven through Comlink, with a priority queue, cancellation, and
 * recovery: a worker that crashes (uncaught error) or hangs (time-out) is terminated and replaced,
 * and its task is retried once on the new worker before failing with a clear error.
 */
export class WorkerPool<Api> {
  readonly stats: PoolStats = { completed: 0, failed: 0, cancelled: 0, retried: 0, replaced: 0 };
  readonly #options: PoolOptions;
  readonly #timers: PoolTimers;
  readonly #slots: Slot<Api>[] = [];
  readonly #queue: Queued<Api>[] = [];
  #seq = 0;
  #nextId = 1;
  #destroyed = false;

  constructor(options: PoolOptions) {
    if (!(options.size >= 1)) throw new RangeError('a worker pool needs at least one worker');
    this.#options = options;
    this.#timers = options.timers ?? realTimers;
    for (let i = 0; i < options.size; i++) this.#slots.push(this.#spawn());
  }

  get size(): number {
    return this.#slots.length;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get busy(): number {
    return this.#slots.filter((s) => s.busy).length;
  }

  /** Workers alive now (equals `size` unless the pool was destroyed). */
  get live(): number {
    return this.#slots.length;
  }

  run<T>(task: Task<Api, T>, options: TaskOptions = {}): Promise<T> {
    if (this.#destroyed)
      return Promise.reject(new WorkerTaskError('the worker pool was shut down'));
    return new Promise<T>((resolve, reject) => {
      const entry: Queued<Api> = {
        run: task as Task<Api, unknown>,
        priority: options.priority ?? 0,
        seq: this.#seq++,
        attempts: 0,
        label: options.label ?? 'task',
        signal: options.signal,
        resolve: resolve as (value: unknown) => void,
        reject,
        settled: false,
      };
      const signal = options.signal;
      if (signal?.aborted) {
        this.stats.cancelled++;
        reject(abortError(entry.label));
        return;
      }
      signal?.addEventListener('abort', () => this.#cancel(entry), { once: true });
      this.#enqueue(entry);
      this.#pump();
    });
  }

  #spawn(): Slot<Api> {
    const worker = this.#options.create();
    const crashed = new Tripwire();
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      crashed.trip(new WorkerFault(`worker crashed: ${event.message || 'uncaught error'}`));
    });
    worker.addEventListener('messageerror', () =>
      crashed.trip(new WorkerFault('worker sent a message that could not be read')),
    );
    return {
      id: this.#nextId++,
      worker,
      remote: Comlink.wrap<Api>(worker),
      busy: false,
      current: null,
      crashed,
    };
  }

  #replace(slot: Slot<Api>, reason: string): void {
    slot.remote[Comlink.releaseProxy]();
    slot.worker.terminate();
    const index = this.#slots.indexOf(slot);
    this.stats.replaced++;
    this.#options.onReplace?.(reason);
    if (index >= 0 && !this.#destroyed) this.#slots[index] = this.#spawn();
  }

  #enqueue(entry: Queued<Api>): void {
    // Keep the queue sorted: priority descending, then submission order.
    let i = this.#queue.length;
    while (i > 0) {
      const prev = this.#queue[i - 1];
      if (
        prev.priority > entry.priority ||
        (prev.priority === entry.priority && prev.seq < entry.seq)
      )
        break;
      i--;
    }
    this.#queue.splice(i, 0, entry);
  }

  #cancel(entry: Queued<Api>): void {
    if (entry.settled) return;
    const index = this.#queue.indexOf(entry);
    if (index >= 0) this.#queue.splice(index, 1);
    // A running task cannot be interrupted: its worker finishes and the result is dropped.
    this.#settle(entry, 'cancelled', abortError(entry.label));
  }

  #settle(entry: Queued<Api>, outcome: 'completed' | 'failed' | 'cancelled', value: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    this.stats[outcome]++;
    if (outcome === 'completed') entry.resolve(value);
    else entry.reject(value);
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (!slot.busy) void this.#execute(slot, this.#queue.shift()!);
    }
  }

  async #execute(slot: Slot<Api>, entry: Queued<Api>): Promise<void> {
    if (entry.settled) {
      this.#pump();
      return;
    }
    slot.busy = true;
    slot.current = entry;
    entry.attempts++;
    let timer: unknown;
    const hung = new Promise<never>((_, reject) => {
      timer = this.#timers.setTimeout(
        () => reject(new WorkerFault(`worker did not answer within ${this.#options.timeoutMs} ms`)),
        this.#options.timeoutMs,
      );
    });
    let fault: WorkerFault | null = null;
    try {
      // `hung` lives only for this call; the crash wire for the worker's life (no race on it).
      const value = await Promise.race([slot.crashed.guard(entry.run(slot.remote)), hung]);
      this.#settle(entry, 'completed', value);
    } catch (error) {
      if (error instanceof WorkerFault) {
        fault = error;
      } else {
        // The kernel itself threw: the worker is healthy and a retry would fail the same way.
        this.#settle(entry, 'failed', error);
      }
    } finally {
      this.#timers.clearTimeout(timer);
      slot.current = null;
    }
    if (this.#destroyed) return;
    if (fault) {
      this.#replace(slot, fault.message);
      if (!entry.settled && entry.attempts < MAX_ATTEMPTS) {
        this.stats.retried++;
        entry.priority = Number.POSITIVE_INFINITY; // the retry goes first
        this.#enqueue(entry);
      } else {
        this.#settle(
          entry,
          'failed',
          new WorkerTaskError(
            `${entry.label} failed after ${entry.attempts} attempts: ${fault.message}`,
          ),
        );
      }
    } else {
      slot.busy = false;
    }
    this.#pump();
  }

  /** Terminates every worker; queued and running tasks fail. */
  destroy(): void {
    this.#destroyed = true;
    const shutDown = (entry: Queued<Api>) =>
      this.#settle(
        entry,
        'failed',
        new WorkerTaskError(`${entry.label}: the worker pool was shut down`),
      );
    for (const entry of this.#queue.splice(0)) shutDown(entry);
    for (const slot of this.#slots) {
      if (slot.current) shutDown(slot.current);
      slot.remote[Comlink.releaseProxy]();
      slot.worker.terminate();
    }
    this.#slots.length = 0;
  }
}

function abortError(label: string): DOMException {
  return new DOMException(`${label} was cancelled`, 'AbortError');
}

/** Workers for a machine: one core left for the main thread, at least one worker. */
export function defaultWorkerCount(hardwareConcurrency: number | undefined): number {
  return Math.max(1, (hardwareConcurrency ?? 2) - 1);
}
