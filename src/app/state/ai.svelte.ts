import type { MlTarget } from '../../core/targets';
import type { GpuContext } from '../../gpu';
import { MlEffectRunner, type ModelStats } from '../../ml/effects/runner';
import type { Availability } from '../../ml/runtime/ort';
import { browserRuntimes } from '../../ml/runtime/load';
import type { BusyState } from './busy.svelte';

/**
 * The AI effects as the UI sees them: the runner (models on ort-webgpu, ort-wasm, the endpoint),
 * which targets are available here and why not, and the loaded models' times. Model downloads
 * show as the app's busy work.
 */
export class AiState {
  readonly runner: MlEffectRunner;
  /** Each ML target's availability here, and why not. */
  targets = $state.raw<Partial<Record<MlTarget, Availability>>>({});
  /** Load and inference times of the loaded models (AI stages show them). */
  stats = $state.raw<ModelStats[]>([]);
  /** Settles once the runtimes have moved to the current device. */
  onGpu: Promise<void> = Promise.resolve();
  readonly #changed: () => void;

  /** `changed`: the targets changed (a frame should render with them). */
  constructor(baseUrl: string, busy: BusyState, changed: () => void) {
    this.runner = new MlEffectRunner(browserRuntimes(baseUrl), (p) => {
      busy.label = p ? `${p.label}…` : null;
      busy.progress = p?.fraction ?? null;
    });
    this.#changed = changed;
  }

  /** A new GPU device: the runtimes move to it. */
  setGpu(gpu: GpuContext): void {
    this.onGpu = this.runner.setGpu(gpu).then(() => this.#refreshTargets());
  }

  /** A new endpoint (or its health changed). */
  setEndpoint(...args: Parameters<MlEffectRunner['setEndpoint']>): void {
    this.runner.setEndpoint(...args);
    this.#refreshTargets();
  }

  #refreshTargets(): void {
    this.targets = Object.fromEntries(this.runner.availability);
    this.#changed();
  }

  /** After a frame: the models' times, when any model is loaded (and only when they changed). */
  refreshStats(): void {
    if (this.runner.loaded === 0 && this.stats.length === 0) return;
    void this.runner.stats().then((s) => {
      // Only when they changed: stage cards would otherwise redraw on every video frame.
      if (JSON.stringify(s) !== JSON.stringify(this.stats)) this.stats = s;
    });
  }
}
