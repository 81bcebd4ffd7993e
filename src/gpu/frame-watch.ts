import type { GpuContext } from './device';
import { TextureGuard } from './texture-guard';

/**
 * How often frames from a frame source (video, camera, 3D scene) have the GPU's memory checked,
 * where it is watched: a corruption can show on screen for about this long before the device is
 * replaced.
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
 * Watches the GPU's memory while the source changes every frame, where a still's own guard has
 * nothing fixed to compare: a small canary texture written once from known bytes, loaded by the
 * guard's kernel and written into a corner of each free work texture (`TextureGuard`), and the
 * source's rows as the kernel loads them against a copy of them, every `WATCH_INTERVAL_MS` at
 * most. A check goes on the queue before the frame that asked for it and
 * is not awaited by any frame (awaited, every frame would wait for the GPU before starting).
 */
export class FrameWatch {
  readonly #gpu: GpuContext;
  readonly #now: () => number;
  readonly #texture: GPUTexture;
  readonly #guard: TextureGuard;
  /** The changing source's own check: its kernel loads against its copies, in the same check. */
  #source: { texture: GPUTexture; guard: TextureGuard } | null = null;
  #last = -Infinity;
  #checking = false;

  constructor(gpu: GpuContext, now: () => number) {
    this.#gpu = gpu;
    this.#now = now;
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
   * Starts a check if none is running and the last began `WATCH_INTERVAL_MS` ago or more: resolves
   * the bytes the GPU got wrong (0: none); null when no check was due. `also`: the free work
   * textures, as in `TextureGuard.changed`.
   */
  checkIfDue(source: GPUTexture | null, also: readonly GPUTexture[]): Promise<number> | null {
    if (this.#checking || this.#now() - this.#last < WATCH_INTERVAL_MS) return null;
    this.#checking = true;
    return this.check(source, also).finally(() => {
      this.#checking = false;
    });
  }

  /**
   * A check now, due or not (a frame that waits for it: a paused video's): the canary, and
   * `source` as a kernel loads it against a copy of it (the GL backend has loaded a texture as
   * (0,0,0,1) while copies of it read right), both on the queue now.
   */
  check(source: GPUTexture | null, also: readonly GPUTexture[]): Promise<number> {
    this.#last = this.#now();
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
