import type { Timers } from '../../session/timers';
import type { ShaderTrust } from './shader-trust.svelte';

/** "2 s", "0.25 s": a duration for a sentence. */
export const seconds = (ms: number) => `${Number((ms / 1000).toPrecision(2))} s`;

/** How long after a frame's GPU work ends a device loss is still put down to its code (ms). */
export const LOSS_SETTLES_MS = 100;

export interface CustomGuardDeps {
  timers: Timers;
  trust: ShaderTrust;
  /** Custom effects were stopped (`hung`: their frame never finished and the GPU was reset). */
  stopped(effectIds: readonly string[], hung: boolean): void;
  /** Stops the GPU's work the only way WebGPU allows: losing the device (the app recovers). */
  resetGpu(): void;
}

/**
 * Which custom effects may run, and the watchdog over those that do. A frame with custom stages
 * that the GPU has not finished after `budgetMs` stops them (the frame shows without them until
 * their code is edited: a new version runs again); if it has still not finished after `hangMs`,
 * the shader has hung the GPU, and the device is given up so the app recovers on a new one
 * (the browser would otherwise reset the GPU process itself, later).
 */
export class CustomGuard {
  budgetMs = 2000;
  hangMs = 8000;
  #stopped = new Map<string, string>();
  /** Custom effects with frames on the GPU now, and how many. */
  readonly #running = new Map<string, number>();
  /** Effects the watchdog gave up the GPU device for, until `takeReset` asks. */
  #resetFor: readonly string[] = [];
  /** Effects whose frame hung the GPU (it is reset once for each). */
  readonly #hung = new Set<string>();
  readonly #deps: CustomGuardDeps;

  constructor(deps: CustomGuardDeps) {
    this.#deps = deps;
  }

  /** Why the custom effect `id` may not run now, or null. */
  blocked(id: string): string | null {
    if (!this.#deps.trust.accepted(id))
      return 'its code came with a link or a file and has not been accepted yet: review it to run it';
    return this.#stopped.get(id) ?? null;
  }

  /** Watches a frame that ran the custom effects `ids` until `done` (its GPU work finished). */
  watch(ids: readonly string[], done: Promise<unknown>): void {
    if (ids.length === 0) return;
    let finished = false;
    for (const id of ids) this.#running.set(id, (this.#running.get(id) ?? 0) + 1);
    const end = () => {
      if (finished) return;
      finished = true;
      // Still a suspect for a moment: a device lost under the frame ends its GPU work first and
      // is reported just after (Chromium, a device destroyed under a custom shader's frame: the
      // frame "finished", then the loss 3 ms later).
      void this.#deps.timers.sleep(LOSS_SETTLES_MS).then(() => {
        for (const id of ids) {
          const n = (this.#running.get(id) ?? 1) - 1;
          if (n > 0) this.#running.set(id, n);
          else this.#running.delete(id);
        }
      });
    };
    done.then(end, end);
    const { timers } = this.#deps;
    void timers.sleep(this.budgetMs).then(async () => {
      if (finished) return;
      // Frames in flight may have run the same code: each effect is stopped and reported once.
      const stopping = ids.filter((id) => !this.#stopped.has(id));
      if (stopping.length > 0) {
        this.#stop(
          stopping,
          `it took over ${seconds(this.budgetMs)} on one frame and was stopped; edit its code to run it again`,
        );
        this.#deps.stopped(stopping, false);
      }
      await timers.sleep(Math.max(0, this.hangMs - this.budgetMs));
      const hung = ids.filter((id) => !this.#hung.has(id));
      if (finished || hung.length === 0) return;
      for (const id of hung) this.#hung.add(id);
      this.#resetFor = [...this.#resetFor, ...hung];
      this.#deps.resetGpu();
      this.#deps.stopped(hung, true);
    });
  }

  /**
   * The custom effects a device loss now may be due to: those whose code is on the GPU, or was
   * until `LOSS_SETTLES_MS` ago.
   */
  suspects(): string[] {
    return [...this.#running.keys()];
  }

  /**
   * The custom effects the watchdog gave up the GPU device for since last asked: a loss after it
   * is the watchdog's own (its "stopped the GPU" notice has told it), not news.
   */
  takeReset(): readonly string[] {
    const ids = this.#resetFor;
    this.#resetFor = [];
    return ids;
  }

  #stop(ids: readonly string[], reason: string): void {
    const next = new Map(this.#stopped);
    for (const id of ids) next.set(id, reason);
    this.#stopped = next;
  }
}
