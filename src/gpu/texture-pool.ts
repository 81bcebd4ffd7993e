import type { GpuContext } from './device';

/** Every pooled texture can be sampled, written by compute, and copied both ways. */
export const POOL_USAGE =
  GPUTextureUsage.TEXTURE_BINDING |
  GPUTextureUsage.STORAGE_BINDING |
  GPUTextureUsage.COPY_SRC |
  GPUTextureUsage.COPY_DST;

export const WORK_FORMAT: GPUTextureFormat = 'rgba8unorm';

/** Free textures kept across frames, at most, whatever the chain needed. */
export const MAX_FREE_TEXTURES = 8;

/**
 * Frames over which the pool remembers how many textures of a size were held at once. With frames
 * in flight, one frame's end sees fewer held than the frames together need: trimming to that
 * made the pool destroy a texture at one frame's end and create one at the next frame's start.
 */
export const PEAK_WINDOW_FRAMES = 16;

function keyOf(width: number, height: number): string {
  return `${width}x${height}`;
}

/**
 * Recycles same-sized work textures between stages and frames. The pool owns every texture it
 * hands out; callers give them back with `release`. At `endFrame` the pool keeps only as many free
 * textures of each size as were held at once over the last PEAK_WINDOW_FRAMES frames (never more
 * than MAX_FREE_TEXTURES in all), and destroys the rest, so memory follows the current chain,
 * image size and frames in flight instead of growing with history.
 *
 * A texture trimmed is destroyed once the queue has done the work submitted before (other frames
 * may still be running): on Chromium's OpenGL ES backend (lavapipe), destroying one while that
 * work ran made later writes to other textures go missing — an export with three frames in flight
 * wrote another frame's pixels (e2e/overlap.spec.ts, "150 frames through a CPU stage").
 */
export class TexturePool {
  readonly #gpu: GpuContext;
  readonly #free = new Map<string, GPUTexture[]>();
  readonly #inUse = new Set<GPUTexture>();
  /** Per size: textures held at once during this frame (the high-water mark). */
  readonly #peak = new Map<string, number>();
  /** The high-water marks of the last frames, oldest first. */
  readonly #recentPeaks: Map<string, number>[] = [];
  readonly #held = new Map<string, number>();
  #serial = 0;
  #destroyed = false;

  constructor(gpu: GpuContext) {
    this.#gpu = gpu;
  }

  acquire(width: number, height: number): GPUTexture {
    const key = keyOf(width, height);
    const held = (this.#held.get(key) ?? 0) + 1;
    this.#held.set(key, held);
    this.#peak.set(key, Math.max(this.#peak.get(key) ?? 0, held));
    const texture =
      this.#free.get(key)?.pop() ??
      this.#gpu.createTexture({
        label: `Triad.pool.${key}#${this.#serial++}`,
        size: [width, height],
        format: WORK_FORMAT,
        usage: POOL_USAGE,
      });
    this.#inUse.add(texture);
    return texture;
  }

  release(texture: GPUTexture): void {
    // A frame still running when its engine was destroyed (a lost device) gives back late.
    if (this.#destroyed) return;
    if (!this.#inUse.delete(texture))
      throw new Error(`${texture.label} is not held from this pool`);
    const key = keyOf(texture.width, texture.height);
    this.#held.set(key, (this.#held.get(key) ?? 1) - 1);
    const list = this.#free.get(key) ?? [];
    list.push(texture);
    this.#free.set(key, list);
  }

  /** Trims free textures to what the last frames needed at once; call after each submit. */
  endFrame(): void {
    this.#recentPeaks.push(new Map(this.#peak));
    if (this.#recentPeaks.length > PEAK_WINDOW_FRAMES) this.#recentPeaks.shift();
    const peakOf = (key: string) => Math.max(0, ...this.#recentPeaks.map((p) => p.get(key) ?? 0));
    let budget = MAX_FREE_TEXTURES;
    // Sizes this frame used take the budget first.
    const sizes = [...this.#free].sort(
      ([a], [b]) => Number(this.#peak.has(b)) - Number(this.#peak.has(a)),
    );
    for (const [key, list] of sizes) {
      const wanted = Math.max(0, peakOf(key) - (this.#held.get(key) ?? 0));
      const keep = Math.min(wanted, budget);
      budget -= keep;
      while (list.length > keep) this.#gpu.destroyWhenDone(list.shift()!);
      if (list.length === 0) this.#free.delete(key);
    }
    this.#peak.clear();
    for (const [key, held] of this.#held) if (held > 0) this.#peak.set(key, held);
  }

  get freeCount(): number {
    let n = 0;
    for (const list of this.#free.values()) n += list.length;
    return n;
  }

  /** The textures no frame holds now (the engine's guard writes and reads a corner of each). */
  get freeTextures(): GPUTexture[] {
    return [...this.#free.values()].flat();
  }

  get inUseCount(): number {
    return this.#inUse.size;
  }

  destroy(): void {
    this.#destroyed = true;
    for (const list of this.#free.values()) for (const t of list) this.#gpu.destroy(t);
    for (const t of this.#inUse) this.#gpu.destroy(t);
    this.#free.clear();
    this.#inUse.clear();
    this.#held.clear();
    this.#peak.clear();
    this.#recentPeaks.length = 0;
  }
}

/** What a stage needs of a pool: work textures to take and give back. */
export type TextureLender = Pick<TexturePool, 'acquire' | 'release'>;

/**
 * A frame's view of the pool while other frames are in flight: textures given back reach the pool
 * only at `submitted()`, once the commands that use them are on the queue, so no other frame can
 * take (and write) one that this frame's unsubmitted commands still read.
 */
export class DeferredReleases implements TextureLender {
  readonly #pool: TexturePool;
  readonly #pending: GPUTexture[] = [];

  constructor(pool: TexturePool) {
    this.#pool = pool;
  }

  acquire(width: number, height: number): GPUTexture {
    return this.#pool.acquire(width, height);
  }

  release(texture: GPUTexture): void {
    this.#pending.push(texture);
  }

  /** The frame's commands so far are submitted: what they used goes back to the pool. */
  submitted(): void {
    for (const texture of this.#pending.splice(0)) this.#pool.release(texture);
  }
}
