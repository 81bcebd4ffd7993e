import externalCopyCode from '../../shaders/external-copy.wgsl?raw';
import type { GpuContext } from './device';

/** The three ways a decoded video frame can reach a GPU texture, best first. */
export type FrameUploadPath = 'importExternalTexture' | 'copyExternalImageToTexture' | 'copyTo';
export const FRAME_UPLOAD_PATHS: readonly FrameUploadPath[] = [
  'importExternalTexture',
  'copyExternalImageToTexture',
  'copyTo',
];

/**
 * Why the GPU-side paths are not used on a compatibility-mode adapter (Chromium's OpenGL ES
 * backend): traced on lavapipe, exports after other tests wrote frames black or untouched with no
 * GPU error in 4 of 64 with these paths; with `copyTo` alone, in none of 92 (docs/ARCHITECTURE.md,
 * headless-Chromium facts).
 */
export const NOT_ON_COMPATIBILITY =
  'not used in compatibility mode (the OpenGL ES backend): frames written through it came out wrong, with no GPU error';

/** Frames timed per path before the fastest is kept. */
const SAMPLES = 3;

/** Usage a texture needs to receive frames by any path. */
export const FRAME_TARGET_USAGE =
  GPUTextureUsage.TEXTURE_BINDING |
  GPUTextureUsage.STORAGE_BINDING |
  GPUTextureUsage.COPY_DST |
  GPUTextureUsage.COPY_SRC |
  GPUTextureUsage.RENDER_ATTACHMENT;

/**
 * Puts decoded video frames into a texture by one of three paths: zero-copy import (and one GPU
 * copy pass), a GPU-side copy from the frame, or `VideoFrame.copyTo` RGBA + `writeTexture` (always
 * works). A path that fails once is not tried again; `failures` says why each failed (or is not
 * used: on a compatibility-mode adapter only `copyTo` is). Of those that work, the fastest
 * measured on the first frames is kept (`timings`). `forced` (a debug option) tries that path
 * first, always.
 */
export class FrameUploader {
  readonly failures = new Map<FrameUploadPath, string>();
  path: FrameUploadPath | null = null;
  readonly #gpu: GpuContext;
  readonly #forced: FrameUploadPath | null;
  #pipeline: GPUComputePipeline | null = null;
  readonly #timings = new Map<FrameUploadPath, number[]>();
  #chosen: FrameUploadPath | null = null;
  #staging: Uint8Array<ArrayBuffer> | null = null;

  constructor(gpu: GpuContext, forced: FrameUploadPath | null = null) {
    this.#gpu = gpu;
    this.#forced = forced;
    if (gpu.adapter.featureLevel === 'compatibility')
      for (const path of FRAME_UPLOAD_PATHS)
        if (path !== 'copyTo' && path !== forced) this.failures.set(path, NOT_ON_COMPATIBILITY);
  }

  /** The paths still worth trying, in order. */
  get #order(): FrameUploadPath[] {
    const order = this.#forced
      ? [this.#forced, ...FRAME_UPLOAD_PATHS.filter((p) => p !== this.#forced)]
      : [...FRAME_UPLOAD_PATHS];
    return order.filter((p) => !this.failures.has(p));
  }

  /**
   * Writes `frame` into `texture` (the size of the frame's visible rectangle); resolves to the
   * path that did. Unforced, the first frames time every path that works (to the GPU's
   * completion) and the fastest is kept: "zero copy" is not always the quickest — on a software
   * adapter `copyTo` is ~10× faster than the import.
   */
  async upload(frame: VideoFrame, texture: GPUTexture): Promise<FrameUploadPath> {
    const calibrating =
      !this.#forced && !this.#chosen && this.#order.length > 1 ? this.#nextToTime() : null;
    const order = calibrating
      ? [calibrating, ...this.#order.filter((p) => p !== calibrating)]
      : this.#chosen && !this.failures.has(this.#chosen)
        ? [this.#chosen, ...this.#order.filter((p) => p !== this.#chosen)]
        : this.#order;
    for (const path of order) {
      const t0 = performance.now();
      const error = await this.#try(path, frame, texture);
      if (error) {
        this.failures.set(path, error);
        continue;
      }
      if (path === calibrating) {
        await this.#gpu.device.queue.onSubmittedWorkDone();
        this.#record(path, performance.now() - t0);
      }
      this.path = path;
      return path;
    }
    throw new Error(
      `no way to upload video frames here: ${[...this.failures].map(([p, e]) => `${p}: ${e}`).join('; ')}`,
    );
  }

  /** Median upload time per path measured so far (ms). */
  get timings(): Partial<Record<FrameUploadPath, number>> {
    const out: Partial<Record<FrameUploadPath, number>> = {};
    for (const [path, ms] of this.#timings)
      out[path] = [...ms].sort((a, b) => a - b)[ms.length >> 1];
    return out;
  }

  /** The working path with the fewest timings, while any has fewer than it needs. */
  #nextToTime(): FrameUploadPath | null {
    const candidates = this.#order.filter((p) => (this.#timings.get(p)?.length ?? 0) < SAMPLES);
    return (
      candidates.sort(
        (a, b) => (this.#timings.get(a)?.length ?? 0) - (this.#timings.get(b)?.length ?? 0),
      )[0] ?? null
    );
  }

  #record(path: FrameUploadPath, ms: number): void {
    const list = this.#timings.get(path) ?? [];
    list.push(ms);
    this.#timings.set(path, list);
    if (this.#nextToTime() === null) {
      const medians = this.timings;
      this.#chosen = this.#order.reduce((best, p) =>
        (medians[p] ?? Infinity) < (medians[best] ?? Infinity) ? p : best,
      );
    }
  }

  /** Runs one path; returns why it failed (null when it worked). */
  async #try(
    path: FrameUploadPath,
    frame: VideoFrame,
    texture: GPUTexture,
  ): Promise<string | null> {
    const device = this.#gpu.device;
    if (path === 'copyTo') {
      await this.#copyTo(frame, texture);
      return null;
    }
    device.pushErrorScope('validation');
    let thrown: string | null = null;
    try {
      if (path === 'importExternalTexture') this.#importExternal(frame, texture);
      else
        device.queue.copyExternalImageToTexture({ source: frame }, { texture }, [
          texture.width,
          texture.height,
        ]);
    } catch (error) {
      thrown = error instanceof Error ? error.message : String(error);
    }
    const scoped = await device.popErrorScope();
    return thrown ?? scoped?.message ?? null;
  }

  #importExternal(frame: VideoFrame, texture: GPUTexture): void {
    const device = this.#gpu.device;
    const external = device.importExternalTexture({ source: frame });
    this.#pipeline ??= device.createComputePipeline({
      label: 'Triad.externalCopy',
      layout: 'auto',
      compute: {
        module: device.createShaderModule({ label: 'Triad.externalCopy', code: externalCopyCode }),
        entryPoint: 'main',
      },
    });
    const bindGroup = device.createBindGroup({
      layout: this.#pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: texture.createView() },
        { binding: 1, resource: external },
      ],
    });
    const encoder = device.createCommandEncoder({ label: 'Triad.externalCopy' });
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.#pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(texture.width / 8), Math.ceil(texture.height / 8));
    pass.end();
    // The external texture is valid only in this task: submit now.
    this.#gpu.submit([encoder.finish()]);
  }

  async #copyTo(frame: VideoFrame, texture: GPUTexture): Promise<void> {
    const { width, height } = texture;
    const visible = frame.visibleRect!;
    const rect = { x: visible.x, y: visible.y, width, height };
    const size = width * height * 4;
    if (this.#staging?.byteLength !== size) this.#staging = new Uint8Array(size);
    await frame.copyTo(this.#staging, {
      rect,
      format: 'RGBA',
      layout: [{ offset: 0, stride: width * 4 }],
    });
    this.#gpu.device.queue.writeTexture(
      { texture },
      this.#staging,
      { bytesPerRow: width * 4, rowsPerImage: height },
      [width, height],
    );
  }
}
