import externalCopyCode from '../../shaders/external-copy.wgsl?raw';
import type { GpuContext } from './device';

/** The three ways a decoded video frame can reach a GPU texture, best first. */
export type FrameUploadPath = 'importExternalTexture' | 'copyExternalImageToTexture' | 'copyTo';
export const FRAME_UPLOAD_PATHS: readonly FrameUploadPath[] = [
  'importExternalTexture',
  'copyExternalImageToTexture',
  'copyTo',
];

/** Usage a texture needs to receive frames by any path. */
export const FRAME_TARGET_USAGE =
  GPUTextureUsage.TEXTURE_BINDING |
  GPUTextureUsage.STORAGE_BINDING |
  GPUTextureUsage.COPY_DST |
  GPUTextureUsage.COPY_SRC |
  GPUTextureUsage.RENDER_ATTACHMENT;

/**
 * Puts decoded video frames into a texture: zero-copy import (and one GPU copy pass) where the
 * browser can, else a GPU-side copy from the frame, else `VideoFrame.copyTo` RGBA + `writeTexture`
 * (the only one headless Chromium without a GPU manages). A path that fails once is not tried
 * again; `failures` says why each failed. `forced` (a debug option) tries that path first.
 */
export class FrameUploader {
  readonly failures = new Map<FrameUploadPath, string>();
  path: FrameUploadPath | null = null;
  readonly #gpu: GpuContext;
  readonly #forced: FrameUploadPath | null;
  #pipeline: GPUComputePipeline | null = null;
  #staging: Uint8Array<ArrayBuffer> | null = null;

  constructor(gpu: GpuContext, forced: FrameUploadPath | null = null) {
    this.#gpu = gpu;
    this.#forced = forced;
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
   * path that did.
   */
  async upload(frame: VideoFrame, texture: GPUTexture): Promise<FrameUploadPath> {
    for (const path of this.#order) {
      const error = await this.#try(path, frame, texture);
      if (!error) {
        this.path = path;
        return path;
      }
      this.failures.set(path, error);
    }
    throw new Error(
      `no way to upload video frames here: ${[...this.failures].map(([p, e]) => `${p}: ${e}`).join('; ')}`,
    );
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
