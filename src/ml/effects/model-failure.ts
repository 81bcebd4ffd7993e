import type { MlTarget } from '../../core/targets';

/**
 * A model failed to load or to run: its target's failure (an endpoint that went away, a
 * runtime whose own GPU device was lost), not the app's GPU device's. The engine fails over at
 * once; only a failure of the GPU side's own work waits to learn whether the app's device is
 * being lost (up to 2 s: it held every own-device loss and endpoint failure that long).
 * Same message as the failure it wraps (the UI shows it); the original is its `cause`.
 */
export class ModelFailure extends Error {
  readonly target: MlTarget;

  constructor(target: MlTarget, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ModelFailure';
    this.target = target;
  }
}
