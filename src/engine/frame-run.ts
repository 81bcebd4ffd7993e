import type { RgbaImage } from '../core/image';
import type { GpuFrameIo } from '../ml/effects/segmentation-gpu';
import type { GpuContext } from '../gpu/device';
import { recordReadback } from '../gpu/readback';
import type { DeferredReleases, TexturePool } from '../gpu/texture-pool';
import type { FrameMeasurement } from './placer';

/** Where the frame's pixels are between stages. */
export type Pixels = { on: 'gpu'; texture: GPUTexture } | { on: 'cpu'; image: RgbaImage };

/** What a frame run needs of its engine. */
export interface FrameRunHost {
  gpu: GpuContext;
  pool: TexturePool;
  /** Writes an image into a pooled texture (queued: the copy runs later on the queue). */
  upload(image: RgbaImage): GPUTexture;
  now(): number;
  /**
   * Whether work that shares the GPU without using the app's queue (an AI runtime on a device of
   * its own on the same adapter) ran between `from` and `to`: a clean segment's time then holds
   * it too, and is not clean.
   */
  sharedGpuBusy?(from: number, to: number): boolean;
}

/**
 * One frame's GPU bookkeeping while its stages run: the current command encoder and whether it
 * holds commands, the GPU stages recorded into it (timed together when it is submitted), the
 * submits not yet done, where the pixels are, and the moves between the GPU and the CPU.
 *
 * Clean timing (`clean`): on the frames the placer learns from, each GPU segment starts on an
 * idle queue and is timed to its completion, and moves are timed whole. The completion callbacks
 * cannot tell apart work that finishes together, so on other frames a segment's time also holds
 * whatever was queued before it: good enough for the live panel, not for the scheduler.
 *
 * Several frames in flight (`overlapping`): everything recorded is submitted before the frame
 * awaits anything, so another frame never sees a pool texture or a stage's uniforms that this
 * frame's unsubmitted commands still use.
 */
export class FrameRun {
  readonly measurement: FrameMeasurement;
  readonly clean: boolean;
  readonly overlapping: boolean;
  /** A frame of a stream (see `FrameInfo.live`). */
  readonly live: boolean;
  /** The texture the frame reads its source from (its own copy, or the engine's). */
  readonly source: GPUTexture;
  /** Textures an AI stage gives back return to the pool once its commands are submitted. */
  readonly lender: DeferredReleases | null;
  encoder: GPUCommandEncoder;
  /** Whether the encoder holds commands (they are submitted before the frame awaits). */
  dirty = false;
  pixels: Pixels;
  /** Segments submitted without waiting for them (the frame's timing waits for them). */
  readonly submitted: Promise<number>[] = [];
  /** GPU stages recorded into the current encoder, timed together when it is submitted. */
  #segment: number[] = [];
  readonly #host: FrameRunHost;
  readonly #label: string;

  constructor(
    host: FrameRunHost,
    options: {
      index: number;
      live?: boolean;
      measurement: FrameMeasurement;
      clean: boolean;
      overlapping: boolean;
      source: GPUTexture;
      lender: DeferredReleases | null;
    },
  ) {
    this.#host = host;
    this.#label = `Triad.frame${options.index}`;
    this.measurement = options.measurement;
    this.clean = options.clean;
    this.overlapping = options.overlapping;
    this.live = options.live ?? false;
    this.source = options.source;
    this.lender = options.lender;
    this.encoder = this.#newEncoder();
    this.pixels = { on: 'gpu', texture: options.source };
  }

  get segmentOpen(): boolean {
    return this.#segment.length > 0;
  }

  #newEncoder(): GPUCommandEncoder {
    return this.#host.gpu.device.createCommandEncoder({ label: this.#label });
  }

  /** Resolves when the queue has done everything submitted so far. */
  idle(): Promise<undefined> {
    return this.#host.gpu.device.queue.onSubmittedWorkDone();
  }

  /** Submits the encoder; resolves when its work is done, with the GPU stages timed. */
  submitTimed(): Promise<number> {
    const { now } = this.#host;
    const submittedAt = now();
    this.#host.gpu.submit([this.encoder.finish()]);
    this.dirty = false;
    this.lender?.submitted();
    const indices = this.#segment;
    this.#segment = [];
    if (indices.length === 0) return Promise.resolve(submittedAt);
    return this.idle().then(() => {
      const done = now();
      const clean = this.#cleanBetween(submittedAt, done);
      this.measurement.gpu.push({ indices, ms: done - submittedAt, clean, endedAt: done });
      return done;
    });
  }

  /**
   * Whether this frame's GPU work between `from` and `to` was timed cleanly: a clean frame, and
   * no AI runtime sharing the GPU ran meanwhile. At two frames in flight, the other frame's model
   * on tfjs-webgpu (its own device, the same lavapipe cores) made a 6 ms stage's clean samples
   * 46–185 ms, and each such jump scaled the target's other stages with it (GPU only predicted at
   * 0.01–0.14 of what its frames then ran at).
   */
  #cleanBetween(from: number, to: number): boolean {
    return this.clean && !this.#host.sharedGpuBusy?.(from, to);
  }

  /** Submits what is recorded without waiting for it, and starts a new encoder. */
  flush(): void {
    const done = this.submitTimed();
    done.catch(() => {});
    this.submitted.push(done);
    this.encoder = this.#newEncoder();
  }

  /** Submits and times what is recorded, waiting for it, and starts a new encoder. */
  async submitAndWait(): Promise<void> {
    await this.submitTimed();
    this.encoder = this.#newEncoder();
  }

  /** Counts a GPU stage recorded into the current encoder. */
  recorded(stage: number): void {
    this.dirty = true;
    this.#segment.push(stage);
  }

  /**
   * Gives a work texture back to the pool (never the source). With frames in flight, only once
   * the commands recorded so far are submitted (`lender`). A stage's input used to go back at
   * once while the encoder that reads it waited; where two frames' waits for an idle queue end
   * in one task, the other frame can take it for its upload — a queue write, which runs before
   * this frame's later submit — and this frame's next stage reads the other frame's pixels (the
   * shape of the CI mismatches in e2e/overlap.spec.ts: a CPU stage between GPU stages, two
   * frames in flight, most of the frame wrong; never reproduced on cue).
   */
  release(texture: GPUTexture): void {
    if (texture !== this.source) (this.lender ?? this.#host.pool).release(texture);
  }

  /**
   * Uploads an image for the next GPU stage: on a clean frame from an idle queue to the copy done
   * (timed whole), otherwise without waiting (the copy runs on the queue later: not timed whole).
   */
  async upload(image: RgbaImage): Promise<GPUTexture> {
    const { now } = this.#host;
    const clean = this.clean;
    if (clean) {
      if (this.dirty) this.flush();
      await this.idle();
    }
    const t0 = now();
    const texture = this.#host.upload(image);
    if (clean) await this.idle();
    const endedAt = now();
    this.measurement.transfers.push({
      from: 'cpu',
      to: 'gpu',
      ms: endedAt - t0,
      clean: this.#cleanBetween(t0, endedAt),
      endedAt,
    });
    return texture;
  }

  /** The frame's pixels on the GPU (uploaded once if they are in CPU memory). */
  async toGpu(): Promise<GPUTexture> {
    if (this.pixels.on === 'cpu')
      this.pixels = { on: 'gpu', texture: await this.upload(this.pixels.image) };
    return this.pixels.texture;
  }

  /**
   * Brings the frame to CPU memory (once), submitting the GPU work so far with the copy. On a
   * clean frame the GPU stages are submitted and timed first, so the readback is timed whole
   * (copy and map) and no stage's time holds it.
   */
  async toCpu(): Promise<RgbaImage> {
    const pixels = this.pixels;
    if (pixels.on === 'cpu') return pixels.image;
    const { now } = this.#host;
    if (this.clean && this.dirty) await this.submitAndWait();
    const t0 = now();
    const collect = recordReadback(this.#host.gpu, this.encoder, pixels.texture);
    const gpuDone = this.submitTimed();
    // Awaited below only on some paths, and not at all when the copy fails (a lost device).
    gpuDone.catch(() => {});
    this.encoder = this.#newEncoder();
    const image = await collect();
    const start = this.clean ? t0 : await gpuDone;
    const endedAt = now();
    this.measurement.transfers.push({
      from: 'gpu',
      to: 'cpu',
      ms: endedAt - start,
      clean: this.#cleanBetween(start, endedAt),
      endedAt,
    });
    this.release(pixels.texture);
    this.pixels = { on: 'cpu', image };
    return image;
  }

  /** Lends an AI stage the frame's encoder; it submits what is recorded when its model needs it. */
  io(): GpuFrameIo {
    return {
      gpu: this.#host.gpu,
      pool: this.lender ?? this.#host.pool,
      encoder: () => {
        this.dirty = true;
        return this.encoder;
      },
      flush: () => this.flush(),
    };
  }
}
