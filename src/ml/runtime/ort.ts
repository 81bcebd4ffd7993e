import type * as Ort from 'onnxruntime-web';
import type { GpuContext } from '../../gpu/device';

import type { MlTarget } from '../../core/targets';
import type { MlModel, TensorData } from './tensor-data';

export type { MlTarget } from '../../core/targets';

export interface Availability {
  available: boolean;
  /** Why not, or what it runs on. */
  detail: string;
}

let runtime: Promise<typeof Ort> | null = null;

/**
 * Loads onnxruntime-web on the page once, on first use (it is large), with its WebAssembly served
 * at ort/. Only WebNN runs here (its context is the page's); ort-wasm and ort-webgpu run in
 * workers (`ort-worker.ts`).
 */
export function loadOrt(): Promise<typeof Ort> {
  runtime ??= import('onnxruntime-web/wasm').then((ort) => {
    ort.env.wasm.wasmPaths = `${import.meta.env.BASE_URL}ort/`;
    ort.env.logLevel = 'error';
    return ort;
  });
  return runtime;
}

export async function availability(
  target: MlTarget,
  gpu: GpuContext | null,
): Promise<Availability> {
  switch (target) {
    case 'ort-wasm': {
      if (typeof WebAssembly !== 'object')
        return { available: false, detail: 'WebAssembly is not available' };
      const threads = globalThis.crossOriginIsolated
        ? `${Math.max(1, Math.floor((navigator.hardwareConcurrency ?? 2) / 2))} threads`
        : 'one thread (the page is not cross-origin isolated)';
      return { available: true, detail: `WebAssembly SIMD, ${threads}` };
    }
    case 'ort-webgpu':
      if (!gpu) return { available: false, detail: 'no WebGPU device' };
      return { available: true, detail: 'WebGPU, on a device of its own in a worker' };
    case 'tfjs-webgpu':
      if (!gpu) return { available: false, detail: 'no WebGPU device' };
      return { available: true, detail: 'WebGPU, on a device of its own in a worker' };
    case 'remote':
      // The endpoint's health is polled by its monitor (src/ml/remote/monitor.ts).
      return { available: false, detail: 'no inference endpoint is configured' };
    case 'ort-node':
      return { available: false, detail: 'onnxruntime-node runs in the triad command only' };
    case 'ort-webnn': {
      const ml = (navigator as Navigator & { ml?: { createContext(o?: object): Promise<unknown> } })
        .ml;
      if (!ml)
        return {
          available: false,
          detail: 'navigator.ml (WebNN) is not available in this browser',
        };
      try {
        await ml.createContext({ deviceType: 'gpu' });
        return { available: true, detail: 'WebNN' };
      } catch (error) {
        return {
          available: false,
          detail: `WebNN: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    }
  }
}

export interface LoadProgress {
  loaded: number;
  total: number | null;
}

/** Fetches a model file, reporting progress; a missing or short file is a clear error. */
export async function fetchModel(
  url: string,
  onProgress?: (p: LoadProgress) => void,
): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body)
    throw new Error(`model ${url}: not found (HTTP ${response.status})`);
  // Single-page-app servers answer unknown paths with index.html: that is a missing model too.
  if (response.headers.get('Content-Type')?.includes('text/html')) {
    throw new Error(`model ${url}: not found (the server answered with a web page)`);
  }
  const total = Number(response.headers.get('Content-Length')) || null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress?.({ loaded, total });
  }
  if (total !== null && loaded !== total)
    throw new Error(`model ${url}: got ${loaded} of ${total} bytes`);
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

/** Tensors this module created and has not disposed yet (the memory tests watch it). */
export const ortTensors = { live: 0 };

/**
 * One ONNX model on the page's own onnxruntime (ort-webnn; ort-wasm and ort-webgpu run in workers,
 * see `ort-worker.ts`): owns its inference session (released by `release`).
 */
export class OrtModel implements MlModel {
  readonly target: MlTarget;
  readonly #session: Ort.InferenceSession;
  readonly #ort: typeof Ort;
  firstRunMs: number | null = null;
  lastRunMs: number | null = null;
  #released = false;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(ort: typeof Ort, session: Ort.InferenceSession, target: MlTarget) {
    this.#ort = ort;
    this.#session = session;
    this.target = target;
  }

  static async load(bytes: Uint8Array, target: MlTarget): Promise<OrtModel> {
    if (target !== 'ort-webnn') throw new Error(`${target} does not run on the page's onnxruntime`);
    const ort = await loadOrt();
    const state = await availability(target, null);
    if (!state.available) throw new Error(`${target} is not available: ${state.detail}`);
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: ['webnn'],
        graphOptimizationLevel: 'all',
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `the model could not be loaded on ${target} (corrupt or unsupported file): ${reason}`,
      );
    }
    return new OrtModel(ort, session, target);
  }

  /**
   * Runs one inference after the ones queued before it: a session runs one at a time ("Session
   * already started" otherwise), and overlapping frames call in.
   */
  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(async () => {
      if (this.#released) throw new Error('the model was released');
      const t0 = performance.now();
      const out = await work();
      const ms = performance.now() - t0;
      if (this.firstRunMs === null) this.firstRunMs = ms;
      else this.lastRunMs = ms;
      return out;
    });
    this.#queue = result.catch(() => {});
    return result;
  }

  #tensor(make: () => Ort.Tensor): Ort.Tensor {
    const tensor = make();
    ortTensors.live++;
    return tensor;
  }

  #dispose(tensor: Ort.Tensor): void {
    tensor.dispose();
    ortTensors.live--;
  }

  async #infer(input: Ort.Tensor): Promise<Ort.Tensor> {
    try {
      const results = await this.#session.run({ [this.#session.inputNames[0]]: input });
      const [first, ...rest] = this.#session.outputNames.map((n) => results[n]);
      ortTensors.live += 1;
      for (const t of rest) t.dispose();
      return first;
    } finally {
      this.#dispose(input);
    }
  }

  run(input: TensorData): Promise<TensorData> {
    return this.#enqueue(async () => {
      const output = await this.#infer(
        this.#tensor(() => new this.#ort.Tensor('float32', input.data, input.dims)),
      );
      try {
        return { data: (await output.getData()) as Float32Array, dims: [...output.dims] };
      } finally {
        this.#dispose(output);
      }
    });
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#queue; // let a running inference finish first
    await this.#session.release();
  }
}
