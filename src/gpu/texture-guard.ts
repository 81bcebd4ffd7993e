import guardRowsCode from '../../shaders/guard-rows.wgsl?raw';
import { ComputeKernel, type KernelSpec } from './compute-kernel';
import type { GpuContext } from './device';
import { recordReadback, type TextureRegion } from './readback';
import { UniformBlock } from './uniforms';

export const GUARD_ROWS_KERNEL: KernelSpec = {
  label: 'Triad.guard-rows',
  code: guardRowsCode,
  inputs: 1,
  uniformWords: 4,
};

/**
 * Rows a guard reads: up to three 64-pixel strips (one 256-byte row each), at a quarter, half and
 * three quarters of the height, centred — a texture read as zeros, or as another texture's
 * pixels, differs there unless the image is flat in all three.
 */
export function guardRegions(width: number, height: number): TextureRegion[] {
  const w = Math.min(width, 64);
  const x = Math.floor((width - w) / 2);
  const rows = [
    ...new Set([0.25, 0.5, 0.75].map((f) => Math.min(height - 1, Math.floor(height * f)))),
  ];
  return rows.map((y) => ({ x, y, width: w, height: 1 }));
}

/** Bytes that differ between two byte arrays of the same length. */
function bytesApart(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/**
 * Records a copy of the rows into `encoder`; the collector gives them one under the other, as the
 * guard's kernel writes them.
 */
function recordRows(
  gpu: GpuContext,
  encoder: GPUCommandEncoder,
  texture: GPUTexture,
  regions: readonly TextureRegion[],
): () => Promise<Uint8ClampedArray> {
  const collect = regions.map((region) => recordReadback(gpu, encoder, texture, region, false));
  return () =>
    Promise.all(collect.map((c) => c())).then(
      (rows) => new Uint8ClampedArray(rows.flatMap((r) => Array.from(r.data))),
    );
}

/** The rows read by a copy now. */
function readRows(
  gpu: GpuContext,
  texture: GPUTexture,
  regions: readonly TextureRegion[],
): Promise<Uint8ClampedArray> {
  const encoder = gpu.device.createCommandEncoder({ label: 'Triad.guard.reference' });
  const collect = recordRows(gpu, encoder, texture, regions);
  gpu.submit([encoder.finish()]);
  return collect();
}

/**
 * Watches a texture that nothing should write again (a still image's source), and the work
 * textures frames take, for pixels nothing drew. Chromium's OpenGL ES backend now and then
 * corrupts textures with no GPU error: a texture then reads back as zeros, or as another
 * texture's pixels, or a kernel loads it as (0,0,0,1) while a copy of it still reads right; after
 * a 2D copy of the WebGPU canvas, work textures lost what kernels wrote to them, frame after frame
 * (docs/ARCHITECTURE.md, issue 15). The reference is a copy of three rows read right after the
 * upload; each check is what a kernel loads of the same rows (shaders/guard-rows.wgsl), written
 * into its own small texture and into a corner of each free work texture `also` names, and read
 * back — one small dispatch and readback each, not counted as a frame's.
 */
export class TextureGuard {
  readonly #gpu: GpuContext;
  readonly #texture: GPUTexture;
  readonly #kernel: ComputeKernel;
  readonly #uniforms: UniformBlock;
  /** The guarded rows, one under the other, as the kernel loaded them. */
  readonly #rows: GPUTexture;
  readonly #regions: TextureRegion[];
  /** What the rows must read; null: what a copy reads in each check, before the kernel's load. */
  readonly #reference: Promise<Uint8ClampedArray> | null;

  /**
   * `reference`: the rows as they must read — known bytes (a texture the caller wrote from
   * them), `'upload'` (read by a copy now: a texture nothing writes again) or `'each check'`
   * (read by a copy in each check: a texture rewritten every frame, whose kernel loads must
   * match its copies).
   */
  constructor(
    gpu: GpuContext,
    texture: GPUTexture,
    reference: Uint8ClampedArray | 'upload' | 'each check' = 'upload',
  ) {
    this.#gpu = gpu;
    this.#texture = texture;
    const regions = guardRegions(texture.width, texture.height);
    const ys = regions.map((r) => r.y);
    this.#kernel = new ComputeKernel(gpu.device, GUARD_ROWS_KERNEL);
    this.#uniforms = new UniformBlock(gpu, 'Triad.guard.uniforms', GUARD_ROWS_KERNEL.uniformWords);
    this.#uniforms
      .begin()
      .u32(regions[0].x, ys[0], ys[1] ?? ys[0], ys[2] ?? ys[0])
      .upload();
    this.#rows = gpu.createTexture({
      label: 'Triad.guard.rows',
      size: [regions[0].width, regions.length],
      format: 'rgba8unorm',
      usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_SRC,
    });
    this.#regions = regions;
    this.#reference =
      reference === 'each check'
        ? null
        : reference === 'upload'
          ? readRows(gpu, texture, regions)
          : Promise.resolve(reference);
  }

  /**
   * Bytes of the guarded rows, as a kernel loads them now and as they read back from each texture
   * it wrote them into (its own, and `also`: free work textures, which the frames after overwrite),
   * that differ from what a copy read after the upload (0: intact). Its work goes on the queue
   * now, before any recorded after.
   */
  async changed(also: readonly GPUTexture[] = []): Promise<number> {
    const encoder = this.#gpu.device.createCommandEncoder({ label: 'Triad.guard.check' });
    const copied = this.#reference
      ? null
      : recordRows(this.#gpu, encoder, this.#texture, this.#regions);
    const [w, h] = [this.#rows.width, this.#rows.height];
    const collect = [this.#rows, ...also.filter((t) => t.width >= w && t.height >= h)].map(
      (output) => {
        this.#kernel.dispatch(encoder, {
          output,
          inputs: [this.#texture],
          uniforms: this.#uniforms.buffer,
          invocations: [w, h],
        });
        return recordReadback(
          this.#gpu,
          encoder,
          output,
          { x: 0, y: 0, width: w, height: h },
          false,
        );
      },
    );
    this.#gpu.submit([encoder.finish()]);
    const [reference, ...loaded] = await Promise.all([
      this.#reference ?? copied!(),
      ...collect.map((c) => c()),
    ]);
    return loaded.reduce((n, l) => n + bytesApart(reference, l.data), 0);
  }

  /** Its own GPU objects, once the queue has done what uses them. */
  destroy(): void {
    this.#gpu.destroyWhenDone(this.#rows);
    this.#gpu.destroyWhenDone(this.#uniforms.buffer);
  }
}
