import { STRATEGIES, STRATEGY_LABELS, type MlTarget, type Strategy } from '../core';
import type { StageSpec } from '../effects';
import { Engine, SchedulerPlacer, pinnedPlacer, type FramePlacer } from '../engine';
import { LatencyModel, MAX_IN_FLIGHT } from '../scheduler';

/** 'manual': each stage where its "run on" says; otherwise the scheduler under a strategy. */
export type PlacementMode = 'manual' | Strategy;
export const PLACEMENT_MODES: { id: PlacementMode; label: string }[] = [
  { id: 'manual', label: 'Manual (per stage)' },
  ...STRATEGIES.map((id) => ({ id, label: STRATEGY_LABELS[id] })),
];

/** What the planner answered when an export asked how many frames to run at once. */
export interface InFlightAdvice {
  inFlight: number;
  fps: number[];
}

/**
 * The schedulers behind the strategies: one per strategy, created on demand, all learning into
 * one latency model, each told the frames in flight the app runs.
 */
export class Placements {
  readonly #clock: () => number;
  readonly #latency: LatencyModel;
  readonly #mlTargets: () => readonly MlTarget[];
  readonly #inFlight: () => number;
  readonly #placers = new Map<Strategy, SchedulerPlacer>();
  #endpointLocal: boolean;

  constructor(
    clock: () => number,
    mlTargets: () => readonly MlTarget[],
    inFlight: () => number,
    endpointLocal: boolean,
  ) {
    this.#clock = clock;
    this.#latency = new LatencyModel(clock);
    this.#mlTargets = mlTargets;
    this.#inFlight = inFlight;
    this.#endpointLocal = endpointLocal;
  }

  /** The scheduler behind a strategy. */
  placer(strategy: Strategy): SchedulerPlacer {
    let placer = this.#placers.get(strategy);
    if (!placer) {
      placer = new SchedulerPlacer(
        this.#clock,
        strategy,
        this.#latency,
        this.#mlTargets,
        undefined,
        this.#endpointLocal,
      );
      placer.setInFlight(this.#inFlight());
      this.#placers.set(strategy, placer);
    }
    return placer;
  }

  /** What places the stages under `mode`: the user's pins, or a strategy's scheduler. */
  forMode(mode: PlacementMode): FramePlacer {
    return mode === 'manual' ? pinnedPlacer : this.placer(mode);
  }

  /** Tells every scheduler the frames in flight changed (read again from `inFlight`). */
  inFlightChanged(): void {
    for (const placer of this.#placers.values()) placer.setInFlight(this.#inFlight());
  }

  /**
   * An endpoint on this machine is planned on the CPU's cores (see `appTargets`): when that
   * changes, the schedulers start again (the latency model keeps what it learned). True when it
   * changed.
   */
  setEndpointLocal(local: boolean): boolean {
    if (local === this.#endpointLocal) return false;
    this.#endpointLocal = local;
    this.#placers.clear();
    return true;
  }

  /**
   * Frames in flight for an export of `size` (after scaling to `height`): what the strategy's
   * planner recommends within what the engine's memory budget allows; under manual placement (no
   * planner), or before the planner has measured this chain, the app's own setting.
   */
  exportInFlight(
    mode: PlacementMode,
    stages: readonly StageSpec[],
    size: { width: number; height: number },
    height: number | null,
    chainScale: number,
  ): { inFlight: number; advice: InFlightAdvice | null } {
    const scale = height ? height / size.height : 1;
    const [w, h] = [Math.round(size.width * scale), Math.round(size.height * scale)];
    const fit = Math.min(MAX_IN_FLIGHT, Engine.framesWithinBudget(w, h, chainScale));
    const fallback = Math.min(fit, this.#inFlight());
    if (mode === 'manual') return { inFlight: fallback, advice: null };
    const placer = this.placer(mode);
    placer.predict(stages, w * h, mode); // tells the scheduler the export's chain and size
    const advice = placer.scheduler.recommendInFlight(fit);
    return { inFlight: advice?.inFlight ?? fallback, advice };
  }
}
