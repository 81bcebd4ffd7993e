import type { StageSpec } from '../../effects/chain';
import type { EffectEnv } from '../../effects/effect';
import { APP_TARGETS, type FrameStats, type SchedulerPlacer } from '../../engine';
import type { GpuContext } from '../../gpu/device';
import type { MlEffectRunner } from '../../ml/effects/runner';
import { strategyAllows, type Strategy } from '../../scheduler';
import type { Timers } from '../timers';

/**
 * What Compare needs of whoever runs it — the app (src/app/state/compare-host.ts) or the triad
 * command: frames through its session, its schedulers, its AI runner, and its device's state.
 */
export interface CompareHost {
  timers: Timers;
  /** Resolves when another frame may start. */
  frameSlot(): Promise<void>;
  /** Starts a frame; resolves once it has taken its source, with when it is done. */
  startFrame(): Promise<{ done: Promise<FrameStats | null> }>;
  /** The chain's enabled stages and the frame's pixels (null: nothing to run). */
  workload(): { stages: readonly StageSpec[]; pixels: number } | null;
  framesInFlight(): number;
  /** Runs `work` with stages placed under `strategy`, then puts the placement back. */
  withMode<T>(strategy: Strategy, work: () => Promise<T>): Promise<T>;
  /** The scheduler behind a strategy. */
  scheduler(strategy: Strategy): SchedulerPlacer;
  /** The device now: replaced after each loss (`generation` counts them). */
  device(): { generation: number; gpu: GpuContext | null; ready: boolean };
  /** The AI batch runs its items straight on the runner, on the ML targets a strategy allows. */
  runner: MlEffectRunner;
  env: EffectEnv;
  /**
   * Stops what else renders (a playing video, a live 3D scene) while a batch is timed; resolves
   * with what brings it back.
   */
  quiet(): Promise<() => void>;
}

/** What a comparison says while it runs. */
export interface CompareStatus {
  running: string | null;
  progress: number | null;
  etaS: number | null;
}

/** A comparison in progress: the host, the strategies' order, and where it says how far it is. */
export interface CompareRun {
  host: CompareHost;
  order: readonly Strategy[];
  status: CompareStatus;
}

/** Whether `strategy` may run a stage on `target`. */
export function allows(strategy: Strategy, target: string): boolean {
  const info = APP_TARGETS.find((t) => t.id === target);
  return !!info && strategyAllows(strategy, info);
}
