import type { GpuContext } from './device';
import { TextureGuard } from './texture-guard';

/**
 * How often a run of frames (playback, the camera, the scene running, Compare's feed) has the
 * GPU's memory checked beside it, where it is checked: a corruption can show on screen for about
 * this long before the device is replaced.
 */
export const WATCH_INTERVAL_MS = 250;

const CANARY_WIDTH = 64;
const CANARY_ROWS = 3;

/**
 * The canary's pixels: no byte zero, no two neighbours alike, no row like another, opaque (what a
 * texture read as zeros, or as another texture's pixels, cannot match).
 */
export function canaryPixels(): Uint8ClampedArray<ArrayBuffer> {
  const data = new Uint8ClampedArray(CANARY_WIDTH * CANARY_ROWS * 4);
  for (let i = 0; i < CANARY_WIDTH * CANARY_ROWS; i++) {
    data[i * 4] = 1 + ((i * 37 + 11) % 254);
    data[i * 4 + 1] = 1 + ((i * 91 + 53) % 254);
    data[i * 4 + 2] = 1 + ((i * 151 + 97) % 254);
    data[i * 4 + 3] = 255;
  }
  return data;
}

/**
 * Paces the checks beside a run of frames: one at a time, and at most every
 * `WATCH_INTERVAL_MS` (clock injected).
 */
export class CheckPace {
  readonly #now: () => number;
  #last = -Infinity;
  #checking = false;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Runs `check` if none is running and the last began `WATCH_INTERVAL_MS` ago or more. */
  ifDue(check: () => Promise<number>): Promise<number> | null {
    if (this.#checking || this.#now() - this.#last < WATCH_INTERVAL_MS) return null;
    this.#checking = true;
    this.#last = this.#now();
    return check().finally(() => {
      this.#checking = false;
    });
  }

  /** A check ran just now, outside the pace (a frame that waited for one). */
  checked(): void {
    this.#last = this.#now();
  }
}

/**
 * Checks the GPU's memory while the source changes every frame, where a still's own guard has
 * nothing fixed to compare: a small canary texture written once from known bytes, loaded by the
 * guard's kernel and written into a corner of each free work texture (`TextureGuard`), and the
 * source's rows as the kernel loads them against a copy of them read in the same check.
 */
export class FrameWatch {
  readonly #gpu: GpuContext;
  readonly #texture: GPUTexture;
  readonly #guard: TextureGuard;
  /** The changing source's own check: its kernel loads against its copies, in the same check. */
  #source: { texture: GPUTexture; guard: TextureGuard } | null = null;

  constructor(gpu: GpuContext) {
    this.#gpu = gpu;
    this.#texture = gpu.createTexture({
      label: 'Triad.watch.canary',
      size: [CANARY_WIDTH, CANARY_ROWS],
      format: 'rgba8unorm',
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
    });
    const pixels = canaryPixels();
    this.#write(pixels);
    this.#guard = new TextureGuard(gpu, this.#texture, pixels);
  }

  #write(pixels: Uint8ClampedArray<ArrayBuffer>): void {
    this.#gpu.device.queue.writeTexture(
      { texture: this.#texture },
      pixels,
      { bytesPerRow: CANARY_WIDTH * 4 },
      [CANARY_WIDTH, CANARY_ROWS],
    );
  }

  /**
   * Bytes the GPU got wrong (0: none): the canary as a kernel loads it and as it reads back from
   * each free work texture in `also` (as in `TextureGuard.changed`), and `source` as a kernel
   * loads it against a copy of it (the GL backend has loaded a texture as (0,0,0,1) while copies
   * of it read right). Its work goes on the queue now, before any recorded after.
   */
  check(source: GPUTexture | null, also: readonly GPUTexture[]): Promise<number> {
    if (source && this.#source?.texture !== source) {
      this.#source?.guard.destroy();
      this.#source = { texture: source, guard: new TextureGuard(this.#gpu, source, 'each check') };
    }
    const checks = [this.#guard.changed(also), source ? this.#source!.guard.changed() : 0];
    return Promise.all(checks).then(([a, b]) => a + b);
  }

  /** Fault injection (tests): zeros over the canary in place, as the GL backend does with no error. */
  blackOut(): void {
    this.#write(new Uint8ClampedArray(CANARY_WIDTH * CANARY_ROWS * 4));
  }

  destroy(): void {
    this.#guard.destroy();
    this.#source?.guard.destroy();
    this.#source = null;
    this.#gpu.destroyWhenDone(this.#texture);
  }
}
