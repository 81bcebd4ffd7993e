import type { Strategy } from '../../core';
import type { MlTarget } from '../../core/targets';
import type { StageSpec } from '../../effects';
import type { FramePlacer, SchedulerPlacer } from '../../engine';
import { MAX_IN_FLIGHT } from '../../scheduler';
import {
  PLACEMENT_MODES,
  Placements,
  type InFlightAdvice,
  type PlacementMode,
} from '../../session/placement';

export { PLACEMENT_MODES, type PlacementMode };
const PLACEMENT_KEY = 'triad.placement';
const IN_FLIGHT_KEY = 'triad.framesInFlight';

/** Saves a setting where it can (storage full or blocked: it lasts this session only). */
export function remember(storage: Storage | null, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // not persisted
  }
}

/**
 * Where stages run and how many frames overlap, as the user chose them (remembered between
 * sessions): manual pins or a strategy's scheduler (src/session/placement.ts), and frames in
 * flight, the one setting the session's frame loop and the schedulers read.
 */
export class SchedulingState {
  mode = $state<PlacementMode>('manual');
  /**
   * Frames the app has in flight at most: 2 lets one frame's CPU and AI stages overlap the next
   * frame's (the scheduler plans for it); 1 runs one frame at a time.
   */
  framesInFlight = $state(2);
  readonly #placements: Placements;
  readonly #storage: Storage | null;
  /** The placer to use may have changed (the engine takes it); `render`: show a frame with it. */
  readonly #changed: (render: boolean) => void;

  constructor(
    storage: Storage | null,
    mlTargets: () => readonly MlTarget[],
    endpointLocal: boolean,
    changed: (render: boolean) => void,
  ) {
    this.#storage = storage;
    this.#changed = changed;
    const saved = storage?.getItem(PLACEMENT_KEY);
    if (PLACEMENT_MODES.some((m) => m.id === saved)) this.mode = saved as PlacementMode;
    const inFlight = Number(storage?.getItem(IN_FLIGHT_KEY));
    if (Number.isInteger(inFlight) && inFlight >= 1 && inFlight <= MAX_IN_FLIGHT)
      this.framesInFlight = inFlight;
    this.#placements = new Placements(
      () => performance.now(),
      mlTargets,
      () => this.framesInFlight,
      endpointLocal,
    );
  }

  /** What places stages now: the user's pins, or the chosen strategy's scheduler. */
  get placer(): FramePlacer {
    return this.#placements.forMode(this.mode);
  }

  /** The scheduler behind a strategy (one per strategy, all learning into one latency model). */
  scheduler(strategy: Strategy): SchedulerPlacer {
    return this.#placements.placer(strategy);
  }

  /** Chooses manual placement or a scheduling strategy, and remembers it. */
  setMode(mode: PlacementMode): void {
    this.mode = mode;
    remember(this.#storage, PLACEMENT_KEY, mode);
    this.#changed(true);
  }

  /** Sets how many frames may be in flight at once (1–4), and remembers it. */
  setFramesInFlight(frames: number): void {
    if (!Number.isFinite(frames)) return;
    const n = Math.min(MAX_IN_FLIGHT, Math.max(1, Math.round(frames)));
    this.framesInFlight = n;
    this.#placements.inFlightChanged();
    remember(this.#storage, IN_FLIGHT_KEY, String(n));
    this.#changed(true);
  }

  /**
   * Runs `work` with stages placed under `mode` (compare mode), then puts the user's choice back;
   * nothing is saved.
   */
  async withMode<T>(mode: PlacementMode, work: () => Promise<T>): Promise<T> {
    const chosen = this.mode;
    this.mode = mode;
    this.#changed(false);
    try {
      return await work();
    } finally {
      this.mode = chosen;
      this.#changed(false);
    }
  }

  /** The endpoint moved on or off this machine (planned on the CPU's cores when local). */
  setEndpointLocal(local: boolean): void {
    if (this.#placements.setEndpointLocal(local)) this.#changed(false);
  }

  /** Frames in flight for an export (see `Placements.exportInFlight`). */
  exportInFlight(
    stages: readonly StageSpec[],
    size: { width: number; height: number },
    height: number | null,
    chainScale: number,
  ): { inFlight: number; advice: InFlightAdvice | null } {
    return this.#placements.exportInFlight(this.mode, stages, size, height, chainScale);
  }
}
