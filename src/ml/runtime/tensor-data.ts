import type { MlTarget } from '../../core/targets';

/** A float32 tensor in CPU memory. */
export interface TensorData {
  data: Float32Array;
  dims: number[];
}

/** A float32 tensor in a GPU storage buffer, lent by a runtime until `dispose`. */
export interface GpuTensor {
  buffer: GPUBuffer;
  dims: number[];
  dispose(): void;
}

/**
 * One model on one target, owned by whoever loaded it (it releases it). Single input, first
 * output: the app's models all have one of each. The first inference (compilation, warm-up) is
 * timed apart from the steady state.
 */
export interface MlModel {
  readonly target: MlTarget;
  readonly firstRunMs: number | null;
  /** The latest steady-state inference time. */
  readonly lastRunMs: number | null;
  run(input: TensorData): Promise<TensorData>;
  /** Only on targets whose tensors can stay on the app's GPU device (ort-webgpu). */
  runOnGpu?(input: GPUBuffer, dims: number[]): Promise<GpuTensor>;
  release(): Promise<void>;
}
