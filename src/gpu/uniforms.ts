import type { GpuContext } from './device';

/**
 * A uniform buffer owned by one stage. Values are written as 32-bit words: `f32` and `u32`
 * fields share one backing store, in the order the WGSL struct declares them (vec4 fields must
 * start on a 16-byte boundary: pad with `f32(0)` as the struct's comments say).
 */
export class UniformBlock {
  readonly buffer: GPUBuffer;
  readonly #gpu: GpuContext;
  readonly #words: ArrayBuffer;
  readonly #f32: Float32Array;
  readonly #u32: Uint32Array;
  #cursor = 0;

  constructor(gpu: GpuContext, label: string, words: number) {
    this.#gpu = gpu;
    const bytes = Math.ceil((words * 4) / 16) * 16;
    this.#words = new ArrayBuffer(bytes);
    this.#f32 = new Float32Array(this.#words);
    this.#u32 = new Uint32Array(this.#words);
    this.buffer = gpu.createBuffer({
      label,
      size: bytes,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }

  /** Starts writing from word 0; chain `f32`/`u32` calls, then `upload`. */
  begin(): this {
    this.#cursor = 0;
    return this;
  }

  f32(...values: number[]): this {
    for (const v of values) this.#f32[this.#cursor++] = v;
    return this;
  }

  u32(...values: number[]): this {
    for (const v of values) this.#u32[this.#cursor++] = v >>> 0;
    return this;
  }

  upload(): GPUBuffer {
    this.#gpu.device.queue.writeBuffer(this.buffer, 0, this.#words);
    return this.buffer;
  }

  destroy(): void {
    this.#gpu.destroy(this.buffer);
  }
}
