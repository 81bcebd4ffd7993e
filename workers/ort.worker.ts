/// <reference lib="webworker" />
// onnxruntime-web's WebAssembly backend in a worker of its own: loading (compiling) a model and
// running it never block the page. The WebGPU backend stays on the main thread, where the app's
// GPUDevice is.
import * as Comlink from 'comlink';
import type * as Ort from 'onnxruntime-web';
import type { OrtWorkerApi } from '../src/ml/runtime/ort-protocol';
import type { TensorData } from '../src/ml/runtime/tensor-data';

let runtime: Promise<typeof Ort> | null = null;
const sessions = new Map<number, Ort.InferenceSession>();
let nextId = 1;

function loadRuntime(wasmPaths: string, threads: number): Promise<typeof Ort> {
  runtime ??= import('onnxruntime-web/wasm').then((ort) => {
    ort.env.wasm.wasmPaths = wasmPaths;
    ort.env.wasm.numThreads = threads;
    ort.env.logLevel = 'error';
    return ort;
  });
  return runtime;
}

function session(id: number): Ort.InferenceSession {
  const s = sessions.get(id);
  if (!s) throw new Error('the model was released');
  return s;
}

const api: OrtWorkerApi = {
  /** Creates a session from the model's bytes (transferred); returns its id and I/O names. */
  async load(
    bytes: Uint8Array,
    wasmPaths: string,
    threads: number,
  ): Promise<{ id: number; inputNames: string[]; outputNames: string[] }> {
    const ort = await loadRuntime(wasmPaths, threads);
    const created = await ort.InferenceSession.create(bytes, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    const id = nextId++;
    sessions.set(id, created);
    return { id, inputNames: [...created.inputNames], outputNames: [...created.outputNames] };
  },

  async run(id: number, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const ort = await runtime!;
    const inputs: Record<string, Ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds))
      inputs[name] = new ort.Tensor('float32', t.data, t.dims);
    try {
      const results = await session(id).run(inputs);
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

  /** Live sessions (the memory tests check it returns to zero). */
  live(): number {
    return sessions.size;
  },
};

Comlink.expose(api);
