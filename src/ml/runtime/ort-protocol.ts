import type { TensorData } from './tensor-data';

/**
 * The onnxruntime-web WebAssembly worker's API (workers/ort.worker.ts implements it): one
 * session per loaded model, tensors transferred both ways.
 */
export interface OrtWorkerApi {
  /** Creates a session from the model's bytes (transferred); returns its id and I/O names. */
  load(
    bytes: Uint8Array,
    wasmPaths: string,
    threads: number,
  ): Promise<{ id: number; inputNames: string[]; outputNames: string[] }>;
  run(id: number, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  release(id: number): Promise<void>;
  /** Live sessions (the memory tests check it returns to zero). */
  live(): number;
}
