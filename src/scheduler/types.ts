/** Milliseconds since an arbitrary origin, from an injected clock. */
export type Clock = () => number;

/**
 * A place that runs work. Targets that share a physical device (the WGSL effects and
 * ort-webgpu on one GPU; ort-wasm and the CPU pool on the same cores) name the same `device`:
 * they share its time in the model, the simulator and the oracle.
 */
export interface TargetInfo {
  id: string;
  /** The physical device whose time this target uses (one job at a time per device). */
  device: string;
  /** Where its results live: moving between locations costs a transfer. */
  location: string;
  /** Counted as an accelerator by the "GPU + accelerator" strategies. */
  accelerator?: boolean;
}

/** One stage of the chain as the scheduler sees it. */
export interface StageInfo {
  /** What kind of work it is (an effect or model id): the latency model's key. */
  kind: string;
  /** Targets that implement it; the scheduler never places it elsewhere. */
  targets: string[];
  /** A user pin (the Static policy), if any. */
  pinned?: string;
}

/** Where one stage of one frame runs: a single target, or a share of frames per target. */
export interface StagePlacement {
  stage: number;
  target: string;
}

export type { Strategy } from '../core/strategies';

/** A stage the plan moved, and why (the live panel's log). */
export interface PlacementChange {
  /** Clock time of the change (ms). */
  at: number;
  stage: number;
  kind: string;
  /** The targets before and after, with shares ("gpu", "gpu 60% + remote 40%"). */
  from: string;
  to: string;
  /** Why: the predicted gain and the busiest resource before, or the target that failed. */
  reason: string;
  /**
   * Auto's choice: each plan it weighed ("stage targets, …; next frame …"), its period as
   * weighed and on what basis (`scoreCandidates`: measured, remembered, or the model's word), the
   * model's period, and what it ran at when it last ran. Technical detail for the bench JSON.
   */
  candidates?: string[];
}
