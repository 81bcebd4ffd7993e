import * as Comlink from 'comlink';
import type { OrtWorkerApi, OrtWorkerBackend } from './ort-protocol';
import type { MlModel, TensorData } from './tensor-data';
import { runtimeLoaded, runtimeRestarted } from './restarts';
import { call, wrapWorker, type RunningWorker } from './worker-handle';

/** The targets onnxruntime-web runs in a worker of their own. */
export type OrtWorkerTarget = 'ort-wasm' | 'ort-webgpu';

type OrtWorker = RunningWorker<OrtWorkerApi>;

const workers = new Map<OrtWorkerTarget, OrtWorker>();

/**
 * How long a restarted worker may outlive its restart when no model loads in the new one (ms).
 * While it lives, the new worker compiles onnxruntime's WebAssembly from V8's copy of the same
 * module in this process, its functions already compiled: the first session in a fresh
 * ort-webgpu worker took 0.65–0.7 s with the old one gone, 0.22–0.26 s with it alive.
 */
const RETIRE_MS = 10_000;

/** Workers restarted and not yet terminated (see `restartOrtWorker`). */
const retiring = new Map<
  OrtWorkerTarget,
  { worker: OrtWorker; timer: ReturnType<typeof setTimeout> }
>();

/** Terminates the target's restarted worker, if one is still alive. */
function retire(target: OrtWorkerTarget): void {
  const old = retiring.get(target);
  if (!old) return;
  retiring.delete(target);
  clearTimeout(old.timer);
  old.worker.raw.terminate();
}

/** The target's worker (started on first use). */
function ortWorker(target: OrtWorkerTarget): OrtWorker {
  let worker = workers.get(target);
  if (!worker) {
    worker = wrapWorker<OrtWorkerApi>(
      new Worker(new URL('../../../workers/ort.worker.ts', import.meta.url), {
        type: 'module',
        name: `Triad ${target}`,
      }),
    );
    workers.set(target, worker);
  }
  return worker;
}

/**
 * Ends the target's worker (calls waiting on it fail now); the next load starts a fresh one.
 * ort-webgpu's worker is restarted after a loss of its GPU device: a new module instance on a
 * new device. The old one is terminated, with its sessions and device, once a model has loaded
 * in the new one (or after `RETIRE_MS`): until then its WebAssembly speeds up the new one's.
 * The recovery log hears of it (`reason`: why its device went).
 */
export function restartOrtWorker(target: OrtWorkerTarget, reason: string): void {
  const worker = workers.get(target);
  if (!worker) return;
  workers.delete(target);
  runtimeRestarted(target, reason);
  worker.end(new Error(`${target} was restarted`));
  retire(target);
  retiring.set(target, { worker, timer: setTimeout(() => retire(target), RETIRE_MS) });
}

/** Workers restarted and still alive (tests: none once a model loaded in the new one). */
export function retiringOrtWorkers(): number {
  return retiring.size;
}

/** Destroys ort-webgpu's own GPU device, as a loss would (the recovery tests). */
export async function loseOrtWebGpuDevice(): Promise<void> {
  const worker = workers.get('ort-webgpu');
  if (!worker) throw new Error('ort-webgpu has not started');
  await call(worker, (api) => api.loseDevice());
}

/** Sessions alive in the workers (0 when none started). */
export async function ortWorkerSessions(): Promise<number> {
  const counts = await Promise.all([...workers.values()].map((w) => call(w, (api) => api.live())));
  return counts.reduce((a, b) => a + b, 0);
}

/** Threads for onnxruntime's WebAssembly backend: several only when the page can share memory. */
function threads(): number {
  return globalThis.crossOriginIsolated
    ? Math.max(1, Math.floor((navigator.hardwareConcurrency ?? 2) / 2))
    : 1;
}

/**
 * A model on ort-wasm or ort-webgpu, run in the target's worker: compiling and running it never
 * block the page. Calls are queued (a session runs one inference at a time). On ort-webgpu the
 * worker has a GPU device of its own: the input crosses as a small CPU tensor (the model's input
 * size, not the frame), like ort-wasm's.
 */
export class OrtWorkerModel implements MlModel {
  readonly target: OrtWorkerTarget;
  firstRunMs: number | null = null;
  lastRunMs: number | null = null;
  readonly #id: number;
  readonly #worker: OrtWorker;
  readonly #outputName: string;
  readonly #inputName: string;
  #queue: Promise<unknown> = Promise.resolve();
  #released = false;

  private constructor(
    target: OrtWorkerTarget,
    worker: OrtWorker,
    id: number,
    names: { input: string; output: string },
  ) {
    this.target = target;
    this.#worker = worker;
    this.#id = id;
    this.#inputName = names.input;
    this.#outputName = names.output;
  }

  /** Whether its worker was restarted since it loaded (it must load again). */
  get stale(): boolean {
    return workers.get(this.target) !== this.#worker;
  }

  static async load(
    bytes: Uint8Array,
    target: OrtWorkerTarget,
    featureLevel: 'core' | 'compatibility' = 'core',
  ): Promise<OrtWorkerModel> {
    const worker = ortWorker(target);
    const backend: OrtWorkerBackend =
      target === 'ort-wasm'
        ? { kind: 'wasm', threads: threads() }
        : { kind: 'webgpu', featureLevel };
    try {
      const copy = bytes.slice();
      const { id, inputNames, outputNames } = await call(worker, (api) =>
        api.load(
          Comlink.transfer(copy, [copy.buffer]),
          new URL(`${import.meta.env.BASE_URL}ort/`, location.href).href,
          backend,
        ),
      );
      if (workers.get(target) === worker) runtimeLoaded(target);
      return new OrtWorkerModel(target, worker, id, {
        input: inputNames[0],
        output: outputNames[0],
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `the model could not be loaded on ${target} (corrupt or unsupported file): ${reason}`,
      );
    } finally {
      if (workers.get(target) === worker) retire(target);
    }
  }

  run(input: TensorData): Promise<TensorData> {
    const result = this.#queue.then(async () => {
      if (this.#released) throw new Error('the model was released');
      if (this.stale) throw new Error(`${this.target} was restarted: the model loads again`);
      const t0 = performance.now();
      const copy = input.data.slice();
      let out: Record<string, TensorData>;
      try {
        out = await call(this.#worker, (api) =>
          api.run(this.#id, {
            [this.#inputName]: Comlink.transfer({ data: copy, dims: input.dims }, [copy.buffer]),
          }),
        );
      } catch (error) {
        // The worker's own GPU device was lost: start a fresh worker for the next load.
        const lost = this.stale ? null : await call(this.#worker, (api) => api.lost());
        if (lost !== null && !this.stale) restartOrtWorker(this.target, lost);
        throw error;
      }
      const ms = performance.now() - t0;
      if (this.firstRunMs === null) this.firstRunMs = ms;
      else this.lastRunMs = ms;
      return out[this.#outputName];
    });
    this.#queue = result.catch(() => {});
    return result;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#queue;
    if (!this.stale) await call(this.#worker, (api) => api.release(this.#id));
  }
}
