/// <reference lib="webworker" />
// onnxruntime-web in a worker of its own: loading (compiling) a model and running it never block
// the page. One backend per worker: WebAssembly (ort-wasm), or WebGPU on a device of the
// worker's own (ort-webgpu). On the page, onnxruntime's first session compiled its WebAssembly
// lazily in one task of 0.4–0.8 s (V8 compiles a Wasm function on its first call).
import * as Comlink from 'comlink';
import type * as Ort from 'onnxruntime-web';
import type { OrtWorkerApi, OrtWorkerBackend } from '../src/ml/runtime/ort-protocol';
import type { TensorData } from '../src/ml/runtime/tensor-data';
import { loseOwnDevice, ownDevice, type OwnDevice } from './own-device';

let runtime: Promise<typeof Ort> | null = null;
let own: OwnDevice | null = null;
const sessions = new Map<number, Ort.InferenceSession>();
let nextId = 1;
/** Session creation one at a time (the WebGPU provider refuses a second one meanwhile). */
let creating: Promise<unknown> = Promise.resolve();

/**
 * The WebGPU provider needs a build that can wait for the GPU inside WebAssembly: JSPI where the
 * browser has it (smaller, faster to start), asyncify elsewhere.
 */
function importRuntime(backend: OrtWorkerBackend): Promise<typeof Ort> {
  if (backend.kind === 'wasm') return import('onnxruntime-web/wasm');
  return 'Suspending' in WebAssembly
    ? import('onnxruntime-web/jspi')
    : import('onnxruntime-web/webgpu');
}

function loadRuntime(wasmPaths: string, backend: OrtWorkerBackend): Promise<typeof Ort> {
  runtime ??= importRuntime(backend).then((ort) => {
    ort.env.wasm.wasmPaths = wasmPaths;
    ort.env.wasm.numThreads = backend.kind === 'wasm' ? backend.threads : 1;
    ort.env.logLevel = 'error';
    return ort;
  });
  return runtime;
}

/** The worker's own GPU device (made on the first WebGPU load). */
function gpuDevice(featureLevel: 'core' | 'compatibility'): Promise<GPUDevice> {
  own ??= ownDevice('ort-webgpu', featureLevel);
  return own.device;
}

function session(id: number): Ort.InferenceSession {
  const lost = own?.lost();
  if (lost) throw new Error(`ort-webgpu's GPU device was lost (${lost})`);
  const s = sessions.get(id);
  if (!s) throw new Error('the model was released');
  return s;
}

const api: OrtWorkerApi = {
  async load(bytes, wasmPaths, backend) {
    const ort = await loadRuntime(wasmPaths, backend);
    const provider: Ort.InferenceSession.ExecutionProviderConfig =
      backend.kind === 'wasm'
        ? 'wasm'
        : { name: 'webgpu', device: await gpuDevice(backend.featureLevel) };
    const created = creating.then(() =>
      ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
      }),
    );
    creating = created.catch(() => {});
    const made = await created;
    const id = nextId++;
    sessions.set(id, made);
    return { id, inputNames: [...made.inputNames], outputNames: [...made.outputNames] };
  },

  async run(id: number, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const ort = await runtime!;
    const running = session(id);
    const inputs: Record<string, Ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds))
      inputs[name] = new ort.Tensor('float32', t.data, t.dims);
    try {
      const results = await running.run(inputs);
      const out: Record<string, TensorData> = {};
      for (const [name, tensor] of Object.entries(results)) {
        out[name] = { data: tensor.data as Float32Array, dims: [...tensor.dims] };
        tensor.dispose();
      }
      return Comlink.transfer(
        out,
        Object.values(out).map((t) => t.data.buffer as ArrayBuffer),
      );
    } finally {
      for (const t of Object.values(inputs)) t.dispose();
    }
  },

  async release(id: number): Promise<void> {
    const s = sessions.get(id);
    sessions.delete(id);
    await s?.release();
  },

  live(): number {
    return sessions.size;
  },

  lost(): string | null {
    return own?.lost() ?? null;
  },

  loseDevice: () => loseOwnDevice(own),
};

Comlink.expose(api);
