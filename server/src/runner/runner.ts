// ModelRunner: the main-thread owner of one model's worker. Runs are matched to answers by
// increasing ids; a worker that dies fails its pending runs and every later one.
import type { Worker } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import {
  transferables,
  type FromWorker,
  type Provider,
  type ToWorker,
  type WireTensor,
  type WorkerInit,
} from './messages.ts';
import { spawnWorker } from '../worker-thread.ts';

const WORKER = new URL('./worker.ts', import.meta.url);

export interface LoadedRunner {
  runner: ModelRunner;
  inputs: InferenceSession.ValueMetadata[];
  outputs: InferenceSession.ValueMetadata[];
}

interface Pending {
  resolve(outputs: Record<string, WireTensor>): void;
  reject(error: Error): void;
}

export class ModelRunner {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failure: string | undefined;
  #closed: (() => void) | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** Starts a worker and loads the model; rejects with onnxruntime's message on failure. */
  static start(file: string, provider: Provider): Promise<LoadedRunner> {
    const worker = spawnWorker(WORKER, { file, provider } satisfies WorkerInit);
    const runner = new ModelRunner(worker);
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.kind === 'loaded') resolve({ runner, inputs: m.inputs, outputs: m.outputs });
        else if (m.kind === 'load-failed') reject(new Error(m.message));
        else runner.#onMessage(m);
      });
      worker.on('error', (e) => {
        reject(e);
        runner.#fail(`model worker crashed: ${e.message}`);
      });
      worker.on('exit', (code) => {
        reject(new Error(`model worker exited (${code}) while loading`));
        runner.#fail(`model worker exited (${code})`);
        runner.#closed?.();
      });
    });
  }

  /** Why the worker can no longer run anything, once it cannot. */
  get failure(): string | undefined {
    return this.#failure;
  }

  run(feeds: Record<string, WireTensor>, fetches: string[]): Promise<Record<string, WireTensor>> {
    if (this.#failure) return Promise.reject(new Error(this.#failure));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#post({ kind: 'run', id, feeds, fetches }, transferables(feeds));
    });
  }

  /** Releases the session and ends the worker. */
  close(): Promise<void> {
    if (this.#failure) return Promise.resolve();
    return new Promise((resolve) => {
      this.#closed = resolve;
      this.#post({ kind: 'close' });
    });
  }

  #post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  #onMessage(m: FromWorker): void {
    if (m.kind === 'closed') {
      this.#failure = 'model runner closed';
      void this.#worker.terminate();
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
