import type { MlModel, TensorData } from './tensor-data';

type Tf = typeof import('@tensorflow/tfjs-core');

/** The tfjs-backend-webgpu kernels are registered for this backend name. */
const BACKEND = 'webgpu';
let loaded: { device: GPUDevice; tf: Promise<Tf> } | null = null;

/**
 * Loads TensorFlow.js lazily with its WebGPU backend on the app's own device: the package
 * registers a 'webgpu' backend that would request an adapter of its own, so it is replaced by one
 * made with our device (the kernels are registered under that name). After a device loss the
 * backend is made again on the new device — every model of the old one must have been released
 * first (their tensors belong to the backend being removed).
 */
export function loadTfjs(device: GPUDevice): Promise<Tf> {
  if (loaded?.device === device) return loaded.tf;
  const before = loaded?.tf.catch(() => null) ?? Promise.resolve(null);
  loaded = {
    device,
    tf: (async () => {
      await before; // a binding still being made finishes first
      const tf = await import('@tensorflow/tfjs-core');
      const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
      if (tf.findBackendFactory(BACKEND)) tf.removeBackend(BACKEND);
      tf.registerBackend(BACKEND, () => new WebGPUBackend(device));
      if (!(await tf.setBackend(BACKEND))) throw new Error('the tfjs WebGPU backend did not start');
      await tf.ready();
      return tf;
    })(),
  };
  return loaded.tf;
}

interface Predictor {
  predict(x: unknown): unknown;
  dispose(): void;
}

/** One original tfjs model (layers or graph) on tfjs-webgpu; released by its owner. */
export class TfjsModel implements MlModel {
  readonly target = 'tfjs-webgpu' as const;
  readonly #tf: Tf;
  readonly #model: Predictor;
  firstRunMs: number | null = null;
  lastRunMs: number | null = null;

  private constructor(tf: Tf, model: Predictor) {
    this.#tf = tf;
    this.#model = model;
  }

  static async load(
    url: string,
    format: 'layers' | 'graph',
    device: GPUDevice,
    onProgress?: (p: { loaded: number; total: number | null }) => void,
  ): Promise<TfjsModel> {
    const tf = await loadTfjs(device);
    // tfjs reports a fraction of the weight files fetched.
    const options = { onProgress: (f: number) => onProgress?.({ loaded: f, total: 1 }) };
    try {
      const model =
        format === 'layers'
          ? await (await import('@tensorflow/tfjs-layers')).loadLayersModel(url, options)
          : await (await import('@tensorflow/tfjs-converter')).loadGraphModel(url, options);
      return new TfjsModel(tf, model as unknown as Predictor);
    } catch (error) {
      throw new Error(
        `the tfjs model ${url} could not be loaded: ${error instanceof Error ? error.message : error}`,
      );
    }
  }

  async run(input: TensorData): Promise<TensorData> {
    const tf = this.#tf;
    const t0 = performance.now();
    const x = tf.tensor(input.data, input.dims);
    const y = this.#model.predict(x) as InstanceType<Tf['Tensor']>;
    const data = (await y.data()) as Float32Array;
    const dims = [...y.shape];
    x.dispose();
    y.dispose();
    const ms = performance.now() - t0;
    if (this.firstRunMs === null) this.firstRunMs = ms;
    else this.lastRunMs = ms;
    return { data, dims };
  }

  async release(): Promise<void> {
    this.#model.dispose();
  }

  /** Tensors alive in tfjs (the memory tests watch it). */
  get liveTensors(): number {
    return this.#tf.memory().numTensors;
  }
}
