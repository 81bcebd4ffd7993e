import * as Comlink from 'comlink';
import type { MlModel, TensorData } from './tensor-data';
import { runtimeLoaded, runtimeRestarted } from './restarts';
import type { TfjsWorkerApi } from './tfjs-protocol';
import { call, endWorker, wrapWorker, type RunningWorker } from './worker-handle';

type TfjsWorker = RunningWorker<TfjsWorkerApi>;

let current: TfjsWorker | null = null;

/** tfjs-webgpu's worker (started on first use). */
function tfjsWorker(): TfjsWorker {
  current ??= wrapWorker<TfjsWorkerApi>(
    new Worker(new URL('../../../workers/tfjs.worker.ts', import.meta.url), {
      type: 'module',
      name: 'Triad tfjs-webgpu',
    }),
  );
  return current;
}

/**
 * Ends tfjs-webgpu's worker and everything in it (its models, tensors and GPU device); the next
 * load starts a fresh one — a new TensorFlow.js instance on a new device. The recovery log hears
 * of it (`reason`: why its device went).
 */
export function restartTfjsWorker(reason: string): void {
  const worker = current;
  if (!worker) return;
  current = null;
  runtimeRestarted('tfjs-webgpu', reason);
  endWorker(worker, 'tfjs-webgpu was restarted');
}

/** Destroys tfjs-webgpu's own GPU device, as a loss would (the recovery tests). */
export async function loseTfjsDevice(): Promise<void> {
  if (!current) throw new Error('tfjs-webgpu has not started');
  await call(current, (api) => api.loseDevice());
}

/** Models loaded and tensors alive in tfjs-webgpu's worker (zeros when it has not started). */
export async function tfjsWorkerMemory(): Promise<{ models: number; tensors: number }> {
  return current ? call(current, (api) => api.live()) : { models: 0, tensors: 0 };
}

/**
 * One original tfjs model (layers or graph) on tfjs-webgpu, run in its worker on a device of the
 * worker's own: loading it and dispatching its kernels never hold the page's thread. Its input
 * and output cross as CPU tensors (the model's size, not the frame's). A loss of the worker's
 * device restarts the worker; the model is then `stale` and the runner loads it again.
 */
export class TfjsModel implements MlModel {
  readonly target = 'tfjs-webgpu' as const;
  firstRunMs: number | null = null;
  lastRunMs: number | null = null;
  readonly #worker: TfjsWorker;
  readonly #id: number;
  #released = false;

  private constructor(worker: TfjsWorker, id: number) {
    this.#worker = worker;
    this.#id = id;
  }

  /** Whether its worker was restarted since it loaded (it must load again). */
  get stale(): boolean {
    return current !== this.#worker;
  }

  static async load(
    url: string,
    format: 'layers' | 'graph',
    featureLevel: 'core' | 'compatibility',
    onProgress?: (p: { loaded: number; total: number | null }) => void,
  ): Promise<TfjsModel> {
    const worker = tfjsWorker();
    // tfjs reports a fraction of the weight files fetched.
    const progress = Comlink.proxy((f: number) => onProgress?.({ loaded: f, total: 1 }));
    try {
      const absolute = new URL(url, location.href).href;
      const id = await call(worker, (api) => api.load(absolute, format, featureLevel, progress));
      if (current === worker) runtimeLoaded('tfjs-webgpu');
      return new TfjsModel(worker, id);
    } catch (error) {
      throw new Error(
        `the tfjs model ${url} could not be loaded: ${error instanceof Error ? error.message : error}`,
      );
    }
  }

  async run(input: TensorData): Promise<TensorData> {
    if (this.#released) throw new Error('the model was released');
    if (this.stale) throw new Error('tfjs-webgpu was restarted: the model loads again');
    const t0 = performance.now();
    const copy = input.data.slice();
    let out: TensorData;
    try {
      out = await call(this.#worker, (api) =>
        api.run(this.#id, Comlink.transfer({ data: copy, dims: input.dims }, [copy.buffer])),
      );
    } catch (error) {
      // The worker's own GPU device was lost: start a fresh worker for the next load.
      const lost = this.stale ? null : await call(this.#worker, (api) => api.lost());
      if (lost !== null && !this.stale) restartTfjsWorker(lost);
      throw error;
    }
    const ms = performance.now() - t0;
    if (this.firstRunMs === null) this.firstRunMs = ms;
    else this.lastRunMs = ms;
    return out;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    if (!this.stale) await call(this.#worker, (api) => api.release(this.#id));
  }
}
