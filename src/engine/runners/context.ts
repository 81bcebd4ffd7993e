import type { CpuPool } from '../../cpu/cpu-pool';
import type { StageTarget } from '../../core/targets';
import type { StageSpec } from '../../effects/chain';
import type { EffectEnv } from '../../effects/effect';
import type { GpuStage } from '../../gpu/stage';
import type { MlEffectRunner } from '../../ml/effects/runner';
import type { FramePlacer } from '../placer';
import type { DeviceQueues } from '../turns';

/**
 * Stage ids that ran, with the target each ran on (an ML target for AI effects). failedOver: its
 * first target failed; skipped: it could not run at all and the frame went on without it.
 */
export type Ran = {
  stage: string;
  target: StageTarget;
  failedOver?: boolean;
  skipped?: boolean;
  /** Why a skipped stage could not run. */
  reason?: string;
}[];

/** What the stage runners need of the engine. */
export interface RunnerContext {
  placer: FramePlacer;
  /** One frame's stage at a time on each device (the CPU pool, each AI runtime). */
  devices: DeviceQueues;
  cpu: CpuPool | null;
  ml: MlEffectRunner | null;
  env: EffectEnv;
  /** The GPU stage the engine keeps for this chain stage. */
  gpuStage(spec: StageSpec): GpuStage<Record<string, unknown>>;
  onStageFailure:
    ((stage: StageSpec, target: StageTarget, reason: string, skipped: boolean) => void) | null;
  now(): number;
}
