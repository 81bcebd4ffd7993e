import * as Comlink from 'comlink';
import type { CpuPool } from '../../cpu';
import type { RgbaImage } from '../../effects';
import type { ScopeData } from '../../scopes/compute';

/** Width of the downscaled frame the scopes are computed from. */
export const SCOPE_PREVIEW_WIDTH = 320;
const VISIBLE_KEY = 'triad.scopes';

/**
 * Histogram, waveform/parade and vectorscope of the displayed frame, computed on the CPU pool
 * from a small box-filtered copy the engine reads back with the frame. One computation at a time;
 * while one runs, only the newest frame waits (older ones are dropped).
 */
export class ScopesState {
  visible = $state(false);
  mode = $state<'luma' | 'parade'>('parade');
  data = $state.raw<ScopeData | null>(null);
  /** How many times the scopes were updated (tests and the panel's status line read it). */
  updates = $state(0);
  error = $state<string | null>(null);
  readonly #cpu: CpuPool;
  readonly #storage: Storage | null;
  #busy = false;
  #next: Promise<RgbaImage> | null = null;

  constructor(cpu: CpuPool, storage: Storage | null) {
    this.#cpu = cpu;
    this.#storage = storage;
    this.visible = storage?.getItem(VISIBLE_KEY) === 'shown';
  }

  toggle(): void {
    this.visible = !this.visible;
    try {
      this.#storage?.setItem(VISIBLE_KEY, this.visible ? 'shown' : 'hidden');
    } catch {
      // not persisted; still toggled
    }
  }

  submit(preview: Promise<RgbaImage>): void {
    if (this.#busy) {
      this.#next = preview;
      return;
    }
    void this.#process(preview);
  }

  async #process(preview: Promise<RgbaImage>): Promise<void> {
    this.#busy = true;
    try {
      const image = await preview;
      const pixels = image.data.buffer;
      this.data = await this.#cpu.pool.run(
        (remote) =>
          remote.scopes(
            Comlink.transfer({ width: image.width, height: image.height, pixels, columns: 256 }, [
              pixels,
            ]),
          ),
        { priority: -1, label: 'scopes' },
      );
      this.updates++;
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.#busy = false;
      const next = this.#next;
      this.#next = null;
      if (next) void this.#process(next);
    }
  }
}
