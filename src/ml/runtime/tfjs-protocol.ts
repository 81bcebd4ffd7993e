import type { TensorData } from './tensor-data';

/**
 * The tfjs-webgpu worker's API (workers/tfjs.worker.ts implements it): TensorFlow.js with its
 * WebGPU backend on a device of the worker's own, one entry per loaded model, tensors transferred
 * both ways.
 */
export interface TfjsWorkerApi {
  /**
   * Loads the original tfjs model at `url` (layers or graph); returns its id. `progress`
   * (a Comlink proxy) hears the fraction of its weight files fetched.
   */
  load(
    url: string,
    format: 'layers' | 'graph',
    featureLevel: 'core' | 'compatibility',
    progress?: (fraction: number) => void,
  ): Promise<number>;
  run(id: number, input: TensorData): Promise<TensorData>;
  release(id: number): Promise<void>;
  /** Loaded models and tensors alive in tfjs (the memory tests check they return to baseline). */
  live(): Promise<{ models: number; tensors: number }>;
  /** Why the worker's own GPU device was lost (null: it was not, or there is none). */
  lost(): string | null;
  /** Destroys the worker's own GPU device, as a loss would (the recovery tests). */
  loseDevice(): Promise<void>;
}
