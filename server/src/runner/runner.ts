// ModelRunner: the main-thread owner of one model's worker (a thread, or a child process — see
// config.ts `isolation`). Runs are matched to answers by increasing ids. A worker that dies on its
// own fails its pending runs, and a fresh one loads the model for the runs that follow — unless it
// died while loading, or more than MAX_CRASHES times within CRASH_WINDOW_MS: then the model stays
// down (a crash loop would only burn the machine) and every later run fails with the reason. A
// run whose signal fires is stopped where the worker is a process: the process is ended and a
// fresh one loads the model for the runs that follow.
import type { InferenceSession } from 'onnxruntime-node';
import type { Isolation } from '../config.ts';
import { openChannel, type Channel } from './channel.ts';
import {
  transferables,
  type FromWorker,
  type Provider,
  type WireTensor,
  type WorkerInit,
} from './messages.ts';

export interface LoadedRunner {
  runner: ModelRunner;
  inputs: InferenceSession.ValueMetadata[];
  outputs: InferenceSession.ValueMetadata[];
}

export interface RunnerOptions {
  provider: Provider;
  isolation: Isolation;
  /** A run was stopped (its process ended) because nobody waited for it any more. */
  onStopped?(): void;
  /** The worker died on its own and a fresh one is loading the model. */
  onRestarted?(reason: string): void;
}

/** Crashes tolerated within the window before the model stays down. */
export const MAX_CRASHES = 3;
export const CRASH_WINDOW_MS = 60_000;

interface Pending {
  resolve(outputs: Record<string, WireTensor>): void;
  reject(error: Error): void;
}

interface Loaded {
  inputs: InferenceSession.ValueMetadata[];
  outputs: InferenceSession.ValueMetadata[];
}

export class ModelRunner {
  readonly #init: WorkerInit;
  readonly #options: RunnerOptions;
  readonly #pending = new Map<number, Pending>();
  #channel!: Channel;
  /** Settles once the current worker has loaded the model. */
  #loaded!: Promise<Loaded>;
  #nextId = 0;
  #failure: string | undefined;
  #closed: (() => void) | undefined;
  /** When the workers died on their own, newest last (within the window). */
  readonly #crashes: number[] = [];

  private constructor(init: WorkerInit, options: RunnerOptions) {
    this.#init = init;
    this.#options = options;
    this.#open();
  }

  /** Starts a worker and loads the model; rejects with onnxruntime's message on failure. */
  static async start(file: string, options: RunnerOptions): Promise<LoadedRunner> {
    const runner = new ModelRunner({ file, provider: options.provider }, options);
    const { inputs, outputs } = await runner.#loaded;
    return { runner, inputs, outputs };
  }

  /** Why the worker can no longer run anything, once it cannot. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Whether a run can be stopped once started (see config.ts `isolation`). */
  get stoppable(): boolean {
    return this.#options.isolation === 'process';
  }

  async run(
    feeds: Record<string, WireTensor>,
    fetches: string[],
    signal?: AbortSignal,
  ): Promise<Record<string, WireTensor>> {
    if (this.#failure) throw new Error(this.#failure);
    await this.#loaded;
    signal?.throwIfAborted();
    const id = this.#nextId++;
    const result = new Promise<Record<string, WireTensor>>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#channel.post({ kind: 'run', id, feeds, fetches }, transferables(feeds));
    });
    if (!signal || !this.stoppable) return result;
    const stop = () => this.#stop(id, signal.reason as Error);
    signal.addEventListener('abort', stop, { once: true });
    try {
      return await result;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  /** Releases the session and ends the worker. */
  close(): Promise<void> {
    if (this.#failure) return Promise.resolve();
    this.#failure = 'model runner closed';
    return new Promise((resolve) => {
      this.#closed = resolve;
      this.#loaded.then(
        () => this.#channel.post({ kind: 'close' }),
        () => resolve(),
      );
    });
  }

  /** Starts a worker and has `#loaded` settle with its load. */
  #open(): void {
    let loaded!: (value: Loaded) => void;
    let failed!: (error: Error) => void;
    let isLoaded = false;
    this.#loaded = new Promise((resolve, reject) => {
      loaded = (value) => {
        isLoaded = true;
        resolve(value);
      };
      failed = reject;
    });
    // A restart's load is waited for by the next run; no unhandled rejection in between.
    this.#loaded.catch(() => {});
    const channel = openChannel(this.#options.isolation, this.#init, {
      onMessage: (m) => {
        if (m.kind === 'loaded') loaded({ inputs: m.inputs, outputs: m.outputs });
        else if (m.kind === 'load-failed') {
          failed(new Error(m.message));
          // A fresh worker after a crash that cannot load the model: it stays down.
          if (this.#crashes.length > 0) this.#fail(`reloading after a crash failed: ${m.message}`);
        } else this.#onMessage(m, channel);
      },
      onExit: (reason) => {
        failed(new Error(`${reason} while loading`));
        if (this.#failure || !isLoaded) {
          this.#fail(isLoaded ? reason : `${reason} while loading`);
          this.#closed?.();
        } else {
          this.#crashed(reason);
        }
      },
    });
    this.#channel = channel;
  }

  /** Ends the worker in the middle of run `id` and starts a fresh one. */
  #stop(id: number, reason: Error): void {
    const pending = this.#pending.get(id);
    if (!pending || this.#failure) return;
    this.#channel.kill();
    // Only one run is posted at a time (the batcher runs one batch per model).
    for (const p of this.#pending.values()) p.reject(reason);
    this.#pending.clear();
    this.#options.onStopped?.();
    this.#open();
  }

  /** The loaded worker died on its own: its runs fail; a fresh one loads, unless it keeps dying. */
  #crashed(reason: string): void {
    const now = performance.now();
    this.#crashes.push(now);
    while (this.#crashes[0] <= now - CRASH_WINDOW_MS) this.#crashes.shift();
    for (const p of this.#pending.values()) p.reject(new Error(reason));
    this.#pending.clear();
    if (this.#crashes.length > MAX_CRASHES) {
      const window = CRASH_WINDOW_MS / 1000;
      this.#fail(
        `${reason}; it died ${this.#crashes.length} times in ${window} s, so it stays down`,
      );
      return;
    }
    this.#options.onRestarted?.(reason);
    this.#open();
  }

  #onMessage(m: FromWorker, from: Channel): void {
    if (from !== this.#channel) return; // a stopped worker's last words
    if (m.kind === 'closed') {
      this.#failure = 'model runner closed';
      from.kill();
      this.#closed?.();
      return;
    }
    if (m.kind !== 'result' && m.kind !== 'failed') return;
    const pending = this.#pending.get(m.id);
    this.#pending.delete(m.id);
    if (m.kind === 'result') pending?.resolve(m.outputs);
    else pending?.reject(new Error(m.message));
  }

  #fail(reason: string): void {
    this.#failure ??= reason;
    for (const p of this.#pending.values()) p.reject(new Error(reason));
    this.#pending.clear();
  }
}
