import * as Comlink from 'comlink';
import type { OrtWorkerApi } from './ort-protocol';
import type { MlModel, TensorData } from './tensor-data';

let worker: { api: Comlink.Remote<OrtWorkerApi>; raw: Worker } | null = null;

/** The one worker that runs onnxruntime-web's WebAssembly backend (started on first use). */
function ortWorker(): Comlink.Remote<OrtWorkerApi> {
  if (!worker) {
    const raw = new Worker(new URL('../../../workers/ort.worker.ts', import.meta.url), {
      type: 'module',
      name: 'Triad ort-wasm',
    });
    worker = { raw, api: Comlink.wrap<OrtWorkerApi>(raw) };
  }
  return worker.api;
}

/** Sessions alive in the worker (0 when it never started). */
export function ortWorkerSessions(): Promise<number> {
  return worker ? worker.api.live() : Promise.resolve(0);
}

/** Threads for onnxruntime's WebAssembly backend: several only when the page can share memory. */
function threads(): number {
  return globalThis.crossOriginIsolated
    ? Math.max(1, Math.floor((navigator.hardwareConcurrency ?? 2) / 2))
    : 1;
}

/**
 * A model on ort-wasm, run in a worker: compiling and running it never block the page. Calls are
 * queued (a session runs one inference at a time).
 */
export class OrtWorkerModel implements MlModel {
  readonly target = 'ort-wasm' as const;
  firstRunMs: number | null = null;
  lastRunMs: number | null = null;
  readonly #id: number;
  readonly #outputName: string;
  readonly #inputName: string;
  #queue: Promise<unknown> = Promise.resolve();
  #released = false;

  private constructor(id: number, inputName: string, outputName: string) {
    this.#id = id;
    this.#inputName = inputName;
    this.#outputName = outputName;
  }

  static async load(bytes: Uint8Array): Promise<OrtWorkerModel> {
    const api = ortWorker();
    try {
      const copy = bytes.slice();
      const { id, inputNames, outputNames } = await api.load(
        Comlink.transfer(copy, [copy.buffer]),
        new URL(`${import.meta.env.BASE_URL}ort/`, location.href).href,
        threads(),
      );
      return new OrtWorkerModel(id, inputNames[0], outputNames[0]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `the model could not be loaded on ort-wasm (corrupt or unsupported file): ${reason}`,
      );
    }
  }

  run(input: TensorData): Promise<TensorData> {
    const result = this.#queue.then(async () => {
      if (this.#released) throw new Error('the model was released');
      const t0 = performance.now();
      const copy = input.data.slice();
      const out = await ortWorker().run(this.#id, {
        [this.#inputName]: Comlink.transfer({ data: copy, dims: input.dims }, [copy.buffer]),
      });
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
    await ortWorker().release(this.#id);
  }
}
