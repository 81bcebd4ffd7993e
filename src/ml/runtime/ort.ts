import type * as Ort from 'onnxruntime-web';
import type { GpuContext } from '../../gpu/device';

/** The ML targets the app knows; each reports whether it can run here, and why not. */
export type MlTarget = 'ort-webgpu' | 'ort-wasm' | 'ort-webnn' | 'tfjs-webgpu';

export interface Availability {
  available: boolean;
  /** Why not, or what it runs on. */
  detail: string;
}

let runtime: Promise<typeof Ort> | null = null;

/** Loads onnxruntime-web once, on first use (it is large), with its WebAssembly served at ort/. */
export function loadOrt(): Promise<typeof Ort> {
  runtime ??= import('onnxruntime-web/all').then((ort) => {
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
    case 'tfjs-webgpu':
      return gpu
        ? { available: true, detail: 'WebGPU, on the app’s own device' }
        : { available: false, detail: 'no WebGPU device' };
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

let sharedDevice: GPUDevice | null = null;

/**
 * Gives onnxruntime-web the app's device, so tensors can stay on the GPU between the chain and
 * the model. The runtime binds to one device for the life of the page: after a device loss it
 * cannot follow the app to the new one, and says so.
 */
async function shareDevice(ort: typeof Ort, device: GPUDevice): Promise<void> {
  if (sharedDevice === device) return;
  if (sharedDevice) {
    throw new Error(
      'ort-webgpu is bound to an earlier GPU device (lost since); reload the page to use it',
    );
  }
  ort.env.webgpu.device = device;
  sharedDevice = device;
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

export interface TensorData {
  data: Float32Array;
  dims: number[];
}

/**
 * One ONNX model on one target: owns its inference session (released by `release`). The first
 * run (compilation, warm-up) is timed apart from the steady state.
 */
export class OrtModel {
  readonly target: MlTarget;
  readonly #session: Ort.InferenceSession;
  readonly #ort: typeof Ort;
  firstRunMs: number | null = null;
  #released = false;
  #queue: Promise<void> = Promise.resolve();

  private constructor(ort: typeof Ort, session: Ort.InferenceSession, target: MlTarget) {
    this.#ort = ort;
    this.#session = session;
    this.target = target;
  }

  static async load(
    bytes: Uint8Array,
    target: MlTarget,
    gpu: GpuContext | null,
  ): Promise<OrtModel> {
    const ort = await loadOrt();
    const state = await availability(target, gpu);
    if (!state.available) throw new Error(`${target} is not available: ${state.detail}`);
    if (target === 'ort-webgpu') await shareDevice(ort, gpu!.device);
    if (target === 'tfjs-webgpu')
      throw new Error('tfjs-webgpu runs the original tfjs model: use TfjsModel');
    const provider = target === 'ort-webgpu' ? 'webgpu' : target === 'ort-webnn' ? 'webnn' : 'wasm';
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
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

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#session.outputNames;
  }

  /**
   * Runs the model. A session runs one inference at a time ("Session already started"
   * otherwise), so calls from overlapping frames queue here in order.
   */
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const result = this.#queue.then(() => this.#run(feeds));
    this.#queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  async #run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    if (this.#released) throw new Error('the model was released');
    const inputs: Record<string, Ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds))
      inputs[name] = new this.#ort.Tensor('float32', t.data, t.dims);
    const t0 = performance.now();
    const results = await this.#session.run(inputs);
    if (this.firstRunMs === null) this.firstRunMs = performance.now() - t0;
    const out: Record<string, TensorData> = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = { data: (await tensor.getData()) as Float32Array, dims: [...tensor.dims] };
      tensor.dispose();
    }
    for (const t of Object.values(inputs)) t.dispose();
    return out;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#queue; // let a running inference finish first
    await this.#session.release();
  }
}
