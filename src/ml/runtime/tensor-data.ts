import type { MlTarget } from '../../core/targets';

/** A float32 tensor in CPU memory. */
export interface TensorData {
  data: Float32Array;
  dims: number[];
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
  /** True once its runtime was restarted (after a loss of the runtime's own GPU device). */
  readonly stale?: boolean;
  release(): Promise<void>;
}
