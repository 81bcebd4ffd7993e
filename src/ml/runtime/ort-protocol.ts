import type { TensorData } from './tensor-data';

/** Which onnxruntime-web backend a worker runs: one per worker, fixed by its first load. */
export type OrtWorkerBackend =
  | { kind: 'wasm'; threads: number }
  /** WebGPU on a device of the worker's own, asked for with the app's adapter's feature level. */
  | { kind: 'webgpu'; featureLevel: 'core' | 'compatibility' };

/**
 * The onnxruntime-web worker's API (workers/ort.worker.ts implements it): one session per loaded
 * model, tensors transferred both ways.
 */
export interface OrtWorkerApi {
  /** Creates a session from the model's bytes (transferred); returns its id and I/O names. */
  load(
    bytes: Uint8Array,
    wasmPaths: string,
    backend: OrtWorkerBackend,
  ): Promise<{ id: number; inputNames: string[]; outputNames: string[] }>;
  run(id: number, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  release(id: number): Promise<void>;
  /** Live sessions (the memory tests check it returns to zero). */
  live(): number;
  /** Why the worker's own GPU device was lost (null: it was not, or there is none). */
  lost(): string | null;
  /** Destroys the worker's own GPU device, as a loss would (the recovery tests). */
  loseDevice(): Promise<void>;
}
