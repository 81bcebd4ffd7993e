// ModelRunner: the main-thread owner of one model's worker. Runs are matched to answers by
// increasing ids; a worker that dies fails its pending runs and every later one.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import {
  transferables,
  type FromWorker,
  type Provider,
  type ToWorker,
  type WireTensor,
  type WorkerInit,
} from './messages.ts';

const WORKER = new URL(
  import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js',
  import.meta.url,
);

/**
 * Worker threads do not inherit tsx's loader hooks on Node 20, so a .ts worker starts from a
 * one-line bootstrap that registers tsx first.
 */
function spawnWorker(init: WorkerInit): Worker {
  if (!WORKER.pathname.endsWith('.ts')) return new Worker(WORKER, { workerData: init });
  const api = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const code = `import(${JSON.stringify(pathToFileURL(api).href)}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER.href)}); });`;
  return new Worker(code, { eval: true, workerData: init });
}

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
    const worker = spawnWorker({ file, provider });
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
