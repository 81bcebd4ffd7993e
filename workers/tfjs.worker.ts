/// <reference lib="webworker" />
// TensorFlow.js with its WebGPU backend in a worker of its own, on a device of the worker's own:
// loading a model (its weights parsed and uploaded: one task of ~190 ms on the page) and
// dispatching its kernels never hold the page's thread, and a lost device is a fresh worker — a
// new tfjs module instance — rather than a backend re-registered in place.
import * as Comlink from 'comlink';
import type { TfjsWorkerApi } from '../src/ml/runtime/tfjs-protocol';
import type { TensorData } from '../src/ml/runtime/tensor-data';
import { loseOwnDevice, ownDevice, type OwnDevice } from './own-device';

type Tf = typeof import('@tensorflow/tfjs-core');

interface Predictor {
  predict(x: unknown): unknown;
  dispose(): void;
}

/** The tfjs-backend-webgpu kernels are registered for this backend name. */
const BACKEND = 'webgpu';
let own: OwnDevice | null = null;
let runtime: Promise<Tf> | null = null;
const models = new Map<number, Predictor>();
let nextId = 1;

/**
 * TensorFlow.js on the worker's device: the package registers a 'webgpu' backend that would ask
 * for a device of its own with the default limits, so it is replaced by one made with ours (the
 * kernels are registered under that name).
 */
function loadTf(featureLevel: 'core' | 'compatibility'): Promise<Tf> {
  runtime ??= (async () => {
    own = ownDevice('tfjs-webgpu', featureLevel);
    const device = await own.device;
    const tf = await import('@tensorflow/tfjs-core');
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    if (tf.findBackendFactory(BACKEND)) tf.removeBackend(BACKEND);
    tf.registerBackend(BACKEND, () => new WebGPUBackend(device));
    if (!(await tf.setBackend(BACKEND))) throw new Error('the tfjs WebGPU backend did not start');
    await tf.ready();
    return tf;
  })();
  return runtime;
}

function model(id: number): Predictor {
  const lost = own?.lost();
  if (lost) throw new Error(`tfjs-webgpu's GPU device was lost (${lost})`);
  const m = models.get(id);
  if (!m) throw new Error('the model was released');
  return m;
}

const api: TfjsWorkerApi = {
  async load(url, format, featureLevel, progress) {
    await loadTf(featureLevel);
    const options = { onProgress: (fraction: number) => void progress?.(fraction) };
    const loaded =
      format === 'layers'
        ? await (await import('@tensorflow/tfjs-layers')).loadLayersModel(url, options)
        : await (await import('@tensorflow/tfjs-converter')).loadGraphModel(url, options);
    const id = nextId++;
    models.set(id, loaded as unknown as Predictor);
    return id;
  },

  async run(id: number, input: TensorData): Promise<TensorData> {
    const tf = await runtime!;
    const running = model(id);
    const x = tf.tensor(input.data, input.dims);
    try {
      const y = running.predict(x) as InstanceType<Tf['Tensor']>;
      try {
        const data = (await y.data()) as Float32Array;
        return Comlink.transfer({ data, dims: [...y.shape] }, [data.buffer as ArrayBuffer]);
      } finally {
        y.dispose();
      }
    } finally {
      x.dispose();
    }
  },

  async release(id: number): Promise<void> {
    models.get(id)?.dispose();
    models.delete(id);
  },

  async live() {
    const tf = await runtime?.catch(() => null);
    return { models: models.size, tensors: tf?.memory().numTensors ?? 0 };
  },

  lost: () => own?.lost() ?? null,

  loseDevice: () => loseOwnDevice(own),
};

Comlink.expose(api);
