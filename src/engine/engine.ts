import type { CpuPool } from '../cpu/cpu-pool';
import type { Chain, PixelTarget, StageSpec, StageTarget } from '../effects/chain';
import { findEffect, findMlEffect } from '../effects/catalogue';
import { createGpuStage } from '../effects/gpu';
import type { MlEffectRunner } from '../ml/effects/runner';
import type { GpuFrameIo } from '../ml/effects/segmentation-gpu';
import { ML_TARGET_DEVICE, isMlTarget, type MlTarget } from '../core/targets';
import { linkOf, ownMs } from '../ml/remote/link';
import type { EffectEnv } from '../effects/effect';
import type { RgbaImage } from '../effects/image';
import type { GpuContext } from '../gpu/device';
import type { Presenter, ViewTransform } from '../gpu/presenter';
import { readTexture, recordReadback } from '../gpu/readback';
import { pinnedPlacer, type FrameMeasurement, type FramePlacer } from './placer';
import { DeviceQueues, Turns, type Turn } from './turns';
import { fitSize } from '../ml/resize';
import { GpuResize } from '../ml/resize-gpu';
import type { FrameInfo, GpuStage } from '../gpu/stage';
import { DeferredReleases, TexturePool } from '../gpu/texture-pool';
import { uploadImage, type UploadPath } from '../gpu/upload';
import { FRAME_TARGET_USAGE, FrameUploader, type FrameUploadPath } from '../gpu/upload-frame';

/** Where a stage runs: a WGSL kernel on the GPU, the CPU kernel on the workers, or an ML target. */
export type TargetKind = StageTarget;

export interface FrameStats {
  frame: number;
  /** Frames this engine has run, counting this one: increases by one per frame. */
  sequence: number;
  /** Queue submits this frame made: 1 on the GPU-only path, one more per CPU excursion. */
  submits: number;
  /** GPU → CPU copies this frame made: 0 on the GPU-only path, one per CPU excursion. */
  readbacks: number;
  /**
   * Stage ids that ran, with the target each ran on (an ML target for AI effects). failedOver:
   * its first target failed; skipped: it could not run at all and the frame went on without it.
   */
  ran: {
    stage: string;
    target: TargetKind;
    failedOver?: boolean;
    skipped?: boolean;
    /** Why a skipped stage could not run. */
    reason?: string;
  }[];
  /** The result's size: the source's, unless a stage changed it (super-resolution). */
  size: [number, number];
  /** A downscaled copy of the result, when one was asked for (scopes). */
  preview?: Promise<RgbaImage>;
  /** When the frame's last GPU work is done: its start, end and each target's time. */
  timing: Promise<FrameTiming>;
}

/** One frame's wall-clock span and the time each target spent on it (ms, performance.now). */
export interface FrameTiming {
  sequence: number;
  startedAt: number;
  finishedAt: number;
  /** By target ("gpu", "cpu", an ML target) and "transfer" (readbacks, uploads, the network). */
  busy: Record<string, number>;
}

/** What each target spent on a frame, from the engine's own measurement. */
export function busyOf(m: FrameMeasurement): Record<string, number> {
  const busy: Record<string, number> = {};
  const add = (key: string, ms: number) => (busy[key] = (busy[key] ?? 0) + ms);
  for (const { ms } of m.cpu) add('cpu', ms);
  for (const { ms } of m.gpu) add('gpu', ms);
  for (const { target, ms, link } of m.ml) {
    const network = link ? link.outMs + link.backMs : 0;
    add(target, ownMs(ms, link));
    if (network > 0) add('transfer', network);
  }
  for (const { ms } of m.transfers) add('transfer', ms);
  return busy;
}

/** The time of a frame's measured stages and moves. */
function partsMs(m: FrameMeasurement): number {
  let ms = 0;
  for (const part of [m.cpu, m.gpu, m.ml, m.transfers]) for (const p of part) ms += p.ms;
  return ms;
}

const TIMINGS_KEPT = 240;

/**
 * GPU memory the engine lets frames in flight take (bytes). Each frame holds about three
 * frame-sized textures at once (its copy of the source, a stage's input and output), larger
 * after super-resolution; more frames in flight than fit are not started.
 */
export const FRAME_MEMORY_BUDGET = 512 * 2 ** 20;

/** Where the frame's pixels are between stages. */
type Pixels = { on: 'gpu'; texture: GPUTexture } | { on: 'cpu'; image: RgbaImage };

/** The frame in flight, as an AI stage sees it. */
interface MlStageFrame {
  pixels(): Pixels;
  set(pixels: Pixels): void;
  toCpu(): Promise<RgbaImage>;
  /** Brings the frame to the GPU (once), timed as a move. */
  toGpu(): Promise<GPUTexture>;
  release(texture: GPUTexture): void;
  io: GpuFrameIo;
  measurement: FrameMeasurement;
  ran: FrameStats['ran'];
  /** Time GPU targets to the end of their GPU work (see `clean` in #runChain). */
  clean: boolean;
  /** Other frames may be in flight (see `overlapping` in #runChain). */
  overlapping: boolean;
}

/** A frame that ran: its result, the source it read (its own copy, or the engine's), timing. */
interface ChainRun {
  result: GPUTexture;
  source: GPUTexture;
  ownSource: boolean;
  sequence: number;
  timing: Promise<FrameTiming>;
}

interface OwnedStage {
  effect: string;
  gpu: GpuStage<Record<string, unknown>>;
}

/**
 * Takes a source frame through a chain and presents it. GPU stages are recorded into one command
 * encoder with intermediate textures from a bounded pool: a GPU-only frame is one submit and no
 * readback. A stage placed on the CPU reads the frame back once, runs on the worker pool (row
 * bands) and uploads the result; consecutive CPU stages stay in CPU memory. The engine owns the
 * source texture, the pool and one GPU stage per chain stage (created on first use, destroyed when
 * the stage leaves the chain).
 */
export class Engine {
  readonly gpu: GpuContext;
  /** Decides where each stage of each frame runs (manual pins, or the scheduler). */
  placer: FramePlacer = pinnedPlacer;
  /** Runs AI effects (models); without one, AI stages are skipped with a failure report. */
  ml: MlEffectRunner | null = null;
  /** Told when a stage failed on a target and ran elsewhere (the app shows a notice). */
  onStageFailure:
    ((stage: StageSpec, target: TargetKind, reason: string, skipped: boolean) => void) | null =
    null;
  #sequence = 0;
  readonly #cpu: CpuPool | null;
  readonly #env: EffectEnv;
  readonly #pool: TexturePool;
  readonly #stages = new Map<string, OwnedStage>();
  #source: GPUTexture | null = null;
  #uploadPath: UploadPath | FrameUploadPath | null = null;
  #sourceTakesFrames = false;
  #frameUploader: FrameUploader | null = null;
  /** The last frames' timings, oldest first (the live panel's numbers are checked against it). */
  readonly timings: FrameTiming[] = [];
  /**
   * The most frames the app has in flight at once. Above 1 a frame works from its own copy of
   * the source when it awaits, submits what it records before awaiting, and presents in turn.
   */
  framesInFlight = 1;
  /** Frames running now, and the most that ever ran at once (tests see the overlap). */
  running = 0;
  peakRunning = 0;
  readonly #turns = new Turns();
  /** Stage ids and models used by frames in flight (kept while they are). */
  readonly #stagesInUse = new Map<string, number>();
  readonly #modelsInUse = new Map<string, number>();
  /**
   * The CPU pool, each AI runtime and the AI runner's GPU side serve one frame's stage at a
   * time; a stage is timed from when its device takes it.
   */
  readonly #devices = new DeviceQueues();
  /** Replaced sources that frames in flight may still read. */
  readonly #retired: GPUTexture[] = [];
  /** Frames submitted whose GPU work is not done yet. */
  framesOnGpu = 0;
  /** Frames started so far (a frame that saw none start while it ran, ran alone). */
  #starts = 0;
  /** Debug: the video upload path to try first (tests cover each path with it). */
  #forcedUploadPath: FrameUploadPath | null = null;
  #previewResize: GpuResize | null = null;

  constructor(gpu: GpuContext, env: EffectEnv, cpu: CpuPool | null = null) {
    this.gpu = gpu;
    this.#env = env;
    this.#cpu = cpu;
    this.#pool = new TexturePool(gpu);
  }

  /**
   * How many frames of `width`×`height` (grown `scale`× by the chain) fit in the memory budget
   * at once: the most frames in flight a planner may ask for.
   */
  static framesWithinBudget(width: number, height: number, scale = 1): number {
    const perFrame = 4 * width * height * (2 + scale * scale);
    return Math.max(1, Math.floor(FRAME_MEMORY_BUDGET / perFrame));
  }

  get sourceSize(): [number, number] | null {
    return this.#source ? [this.#source.width, this.#source.height] : null;
  }

  get uploadPath(): UploadPath | FrameUploadPath | null {
    return this.#uploadPath;
  }

  get pool(): TexturePool {
    return this.#pool;
  }

  /** Debug: tries `path` first for the next video frames (null: the best that works). */
  forceUploadPath(path: FrameUploadPath | null): void {
    this.#forcedUploadPath = path;
    this.#frameUploader = null;
  }

  /** Which path uploaded the last video frame, and why the better ones failed. */
  get frameUploader(): FrameUploader | null {
    return this.#frameUploader;
  }

  /**
   * Makes a decoded video frame the source. The source texture is kept while frames keep their
   * size; the uploader picks the best path that works here (`forcedUploadPath` tries one first).
   * The caller keeps (and closes) the frame.
   */
  async setSourceFrame(frame: VideoFrame): Promise<void> {
    const { width, height } = frame.visibleRect ?? {
      width: frame.displayWidth,
      height: frame.displayHeight,
    };
    const source = this.#frameSource(width, height);
    this.#frameUploader ??= new FrameUploader(this.gpu, this.#forcedUploadPath);
    this.#uploadPath = await this.#frameUploader.upload(frame, source);
  }

  /**
   * Makes a picture drawn on the GPU the source (the 3D scene): `draw` records into an encoder
   * that writes the source texture (storage-bindable, kept while the size holds).
   */
  drawSource(
    width: number,
    height: number,
    draw: (encoder: GPUCommandEncoder, target: GPUTexture) => void,
  ): void {
    const source = this.#frameSource(width, height);
    const encoder = this.gpu.device.createCommandEncoder({ label: 'Triad.source.draw' });
    draw(encoder, source);
    this.gpu.submit([encoder.finish()]);
  }

  /**
   * The source texture for frames written on the GPU (video uploads, the drawn scene): kept
   * while frames keep their size, made anew (writable, storage-bindable) otherwise.
   */
  #frameSource(width: number, height: number): GPUTexture {
    this.#checkSize(width, height);
    const source = this.#source;
    if (source && this.#sourceTakesFrames && source.width === width && source.height === height)
      return source;
    if (source) this.#retire(source);
    this.#source = this.gpu.createTexture({
      label: 'Triad.source.frame',
      size: [width, height],
      format: 'rgba8unorm',
      usage: FRAME_TARGET_USAGE,
    });
    this.#sourceTakesFrames = true;
    return this.#source;
  }

  /** Destroys a replaced source once no frame in flight can still read it. */
  #retire(texture: GPUTexture): void {
    if (this.running === 0) this.gpu.destroy(texture);
    else this.#retired.push(texture);
  }

  #checkSize(width: number, height: number): void {
    const max = this.gpu.adapter.maxTextureDimension2D;
    if (width > max || height > max)
      throw new RangeError(`${width}×${height} exceeds this GPU's ${max} px limit`);
  }

  /** Replaces the source image. The caller keeps the bitmap (to rebuild after device loss). */
  setSource(image: ImageBitmap | RgbaImage): void {
    this.#checkSize(image.width, image.height);
    const uploaded = uploadImage(this.gpu, image, 'Triad.source');
    if (this.#source) this.#retire(this.#source);
    this.#source = uploaded.texture;
    this.#sourceTakesFrames = false;
    this.#uploadPath = uploaded.path;
  }

  #stageFor(spec: StageSpec): OwnedStage {
    const owned = this.#stages.get(spec.id);
    if (owned && owned.effect === spec.effect) return owned;
    if (owned) owned.gpu.destroy();
    const effect = findEffect(spec.effect);
    if (!effect) throw new Error(`unknown effect "${spec.effect}"`);
    const created: OwnedStage = {
      effect: spec.effect,
      gpu: createGpuStage(effect.id, this.gpu, this.#env),
    };
    this.#stages.set(spec.id, created);
    return created;
  }

  /**
   * Destroys GPU stages whose chain stage is gone, and lets go of models no stage needs. What a
   * frame still in flight uses is kept until it is done (a later frame's call lets it go).
   */
  #reconcile(chain: Chain): void {
    const models = new Set(chain.stages.flatMap((s) => findMlEffect(s.effect)?.model ?? []));
    for (const [model, n] of this.#modelsInUse) if (n > 0) models.add(model);
    void this.ml?.retain(models);
    const live = new Set(chain.stages.map((s) => s.id));
    for (const [id, owned] of this.#stages) {
      if (!live.has(id) && !this.#stagesInUse.get(id)) {
        owned.gpu.destroy();
        this.#stages.delete(id);
      }
    }
  }

  /** Counts a frame's stages and models in (+1) or out (−1) of use. */
  #use(stages: readonly StageSpec[], delta: 1 | -1): void {
    const count = (map: Map<string, number>, key: string) => {
      const n = (map.get(key) ?? 0) + delta;
      if (n > 0) map.set(key, n);
      else map.delete(key);
    };
    for (const s of stages) {
      count(this.#stagesInUse, s.id);
      const model = findMlEffect(s.effect)?.model;
      if (model) count(this.#modelsInUse, model);
    }
  }

  #upload(image: RgbaImage): GPUTexture {
    const texture = this.#pool.acquire(image.width, image.height);
    this.gpu.device.queue.writeTexture(
      { texture },
      image.data,
      { bytesPerRow: image.width * 4, rowsPerImage: image.height },
      [image.width, image.height],
    );
    return texture;
  }

  /**
   * Runs one frame: every enabled stage, then `finish` records the last GPU work (present,
   * readback) into the final encoder before it is submitted. With several frames in flight, a
   * frame keeps its place in `turn` (it presents after the frames started before it).
   */
  async #frame(
    chain: Chain,
    frame: FrameInfo,
    ran: FrameStats['ran'],
    finish: (encoder: GPUCommandEncoder, result: GPUTexture, source: GPUTexture) => void,
    turn: Turn | null = null,
  ): Promise<ChainRun> {
    this.#reconcile(chain);
    const enabled = chain.stages.filter((s) => s.enabled);
    this.#use(enabled, 1);
    this.running++;
    this.peakRunning = Math.max(this.peakRunning, this.running);
    try {
      return await this.#runChain(enabled, frame, ran, finish, turn);
    } finally {
      turn?.done(); // a frame that failed gives up its turn
      this.running--;
      this.#use(enabled, -1);
      if (this.running === 0) for (const t of this.#retired.splice(0)) this.gpu.destroy(t);
    }
  }

  async #runChain(
    enabled: readonly StageSpec[],
    frame: FrameInfo,
    ran: FrameStats['ran'],
    finish: (encoder: GPUCommandEncoder, result: GPUTexture, source: GPUTexture) => void,
    turn: Turn | null,
  ): Promise<ChainRun> {
    const current = this.#source;
    if (!current) throw new Error('no source image');
    const now = () => performance.now();
    const startedAt = now();
    const start = ++this.#starts;
    const aloneAtStart = this.running === 1 && this.framesOnGpu === 0;
    const newEncoder = () =>
      this.gpu.device.createCommandEncoder({ label: `Triad.frame${frame.index}` });
    // Without a worker pool, CPU pins run on the GPU.
    const sequence = ++this.#sequence;
    const targets = this.placer
      .place(enabled, sequence - 1, current.width * current.height)
      .map((t) => (t === 'cpu' && !this.#cpu ? 'gpu' : t));
    /**
     * Clean timing: on the frames the placer learns from (calibration, and one in ten after),
     * each GPU segment starts on an idle queue and is timed to its completion, and an AI stage
     * on the GPU is timed to the end of its GPU work. The completion callbacks cannot tell apart
     * work that finishes together, so on other frames a segment's time also holds whatever was
     * queued before it (the previous frame, a library's work): good enough for the live panel's
     * busy share, not for the scheduler.
     */
    const clean = this.placer.cleanTiming?.(sequence - 1) ?? false;
    /**
     * Several frames in flight: everything recorded into an encoder is submitted before the
     * frame awaits anything, so another frame never sees a pool texture or a stage's uniforms
     * that this frame's unsubmitted commands still use. A frame that awaits before presenting
     * works from its own copy of the source (the next frame's may be written meanwhile).
     */
    const overlapping = this.framesInFlight > 1;
    const source =
      overlapping && (clean || targets.some((t) => t !== 'gpu') || !(turn?.isReady() ?? true))
        ? this.#pool.acquire(current.width, current.height)
        : current;
    /** Textures an AI stage gives back return to the pool once its commands are submitted. */
    const lender = overlapping ? new DeferredReleases(this.#pool) : null;
    const measurement: FrameMeasurement = {
      frame: sequence - 1,
      cpu: [],
      gpu: [],
      ml: [],
      transfers: [],
    };
    /** GPU stages recorded into the current encoder, timed together when it is submitted. */
    let segment: number[] = [];
    /** Segments submitted without waiting for them (the frame's timing waits for them). */
    const submitted: Promise<number>[] = [];
    const idle = () => this.gpu.device.queue.onSubmittedWorkDone();
    /** Submits the encoder; resolves when its work is done, with the GPU stages timed. */
    const submitTimed = (): Promise<number> => {
      const submittedAt = now();
      this.gpu.submit([encoder.finish()]);
      dirty = false;
      lender?.submitted();
      const indices = segment;
      segment = [];
      if (indices.length === 0) return Promise.resolve(submittedAt);
      return idle().then(() => {
        const done = now();
        measurement.gpu.push({ indices, ms: done - submittedAt, clean });
        return done;
      });
    };
    /** Submits what is recorded without waiting for it, and starts a new encoder. */
    const flush = () => {
      const done = submitTimed();
      done.catch(() => {});
      submitted.push(done);
      encoder = newEncoder();
    };
    let encoder = newEncoder();
    /** Whether the encoder holds commands (they are submitted before the frame awaits). */
    let dirty = false;
    if (source !== current) {
      // Recorded first into the frame's encoder, which is submitted before the frame's first
      // await: the next frame's source is written only after this copy on the queue.
      encoder.copyTextureToTexture({ texture: current }, { texture: source }, [
        current.width,
        current.height,
      ]);
      dirty = true;
    }
    let pixels: Pixels = { on: 'gpu', texture: source };
    const release = (texture: GPUTexture) => {
      if (texture !== source) this.#pool.release(texture);
    };
    /** Uploads without waiting (the copy itself runs on the queue later: not timed whole). */
    const upload = (image: RgbaImage) => {
      const t0 = now();
      const texture = this.#upload(image);
      measurement.transfers.push({ from: 'cpu', to: 'gpu', ms: now() - t0, clean: false });
      return texture;
    };
    /** On a clean frame: from an idle queue to the copy done, so the move is timed whole. */
    const uploadTimed = async (image: RgbaImage) => {
      if (dirty) flush();
      await idle();
      const t0 = now();
      const texture = this.#upload(image);
      await idle();
      measurement.transfers.push({ from: 'cpu', to: 'gpu', ms: now() - t0, clean: true });
      return texture;
    };
    /**
     * Brings the frame to CPU memory (once), submitting the GPU work so far with the copy. On a
     * clean frame the GPU stages are submitted and timed first, so the readback is timed whole
     * (copy and map) and no stage's time holds it.
     */
    const toCpu = async (): Promise<RgbaImage> => {
      if (pixels.on === 'cpu') return pixels.image;
      if (clean && dirty) {
        await submitTimed();
        encoder = newEncoder();
      }
      const t0 = now();
      const collect = recordReadback(this.gpu, encoder, pixels.texture);
      const gpuDone = submitTimed();
      encoder = newEncoder();
      const image = await collect();
      measurement.transfers.push({
        from: 'gpu',
        to: 'cpu',
        ms: clean ? now() - t0 : now() - (await gpuDone),
        clean,
      });
      release(pixels.texture);
      pixels = { on: 'cpu', image };
      return image;
    };
    /** Lends an AI stage the frame's encoder; it submits what is recorded when its model needs it. */
    const io: GpuFrameIo = {
      gpu: this.gpu,
      pool: lender ?? this.#pool,
      encoder: () => {
        dirty = true;
        return encoder;
      },
      flush,
    };

    for (let i = 0; i < enabled.length; i++) {
      const spec = enabled[i];
      if (findMlEffect(spec.effect)) {
        if (clean) {
          // The GPU stages before it are timed on their own, then the queue is idle.
          if (dirty) {
            await submitTimed();
            encoder = newEncoder();
          }
          await idle();
        } else if (overlapping && dirty) {
          flush(); // a model may await before it records (loading), see above
        }
        await this.#runMlStage(spec, i, targets[i], {
          clean,
          overlapping,
          pixels: () => pixels,
          set: (p) => (pixels = p),
          toCpu,
          toGpu: async () => {
            if (pixels.on === 'cpu')
              pixels = {
                on: 'gpu',
                texture: clean ? await uploadTimed(pixels.image) : upload(pixels.image),
              };
            return pixels.texture;
          },
          release: (texture) => {
            if (texture !== source) (lender ?? this.#pool).release(texture);
          },
          io,
          measurement,
          ran,
        });
        continue;
      }
      let target = targets[i] as PixelTarget;
      if (target === 'cpu') {
        const image = await toCpu();
        try {
          const out = await this.#devices.run('cpu', async () => {
            const t0 = now();
            const out = await this.#cpu!.runEffect(
              spec.effect,
              image,
              spec.params,
              frame,
              this.#env,
            );
            measurement.cpu.push({ index: i, ms: now() - t0 });
            return out;
          });
          pixels = { on: 'cpu', image: out };
        } catch (error) {
          // The CPU failed this stage (a worker crashed or hung twice, the pool shut down): run
          // it on the GPU instead, so the frame is not lost, and tell the placer.
          const reason = error instanceof Error ? error.message : String(error);
          this.placer.failed('cpu', reason);
          this.onStageFailure?.(spec, 'cpu', reason, false);
          pixels = { on: 'cpu', image };
          target = 'gpu';
        }
      }
      if (target === 'gpu') {
        // A clean segment starts on an idle queue (and is recorded and submitted without a wait).
        if (clean && segment.length === 0) {
          if (dirty) flush(); // the source copy: not part of the segment's time
          await idle();
        }
        const input =
          pixels.on === 'gpu'
            ? pixels.texture
            : clean
              ? await uploadTimed(pixels.image)
              : upload(pixels.image);
        // Stages keep the size of their input (an AI stage before may have changed it).
        const output = this.#pool.acquire(input.width, input.height);
        this.#stageFor(spec).gpu.encode(
          { encoder, input, output, pool: this.#pool, frame },
          spec.params,
        );
        dirty = true;
        release(input);
        pixels = { on: 'gpu', texture: output };
        segment.push(i);
      }
      ran.push(
        target === targets[i]
          ? { stage: spec.id, target }
          : { stage: spec.id, target, failedOver: true },
      );
    }
    const result =
      pixels.on === 'gpu'
        ? pixels.texture
        : clean
          ? await uploadTimed(pixels.image)
          : upload(pixels.image);
    // On a clean frame the last GPU stages are timed without the present after them (it is the
    // same whichever target ran them).
    if (clean && segment.length > 0) flush();
    if (turn && !turn.isReady()) {
      // Frames before this one have not presented yet: submit what is recorded, wait, present.
      if (dirty) flush();
      await turn.ready();
    }
    finish(encoder, result, source);
    submitted.push(submitTimed());
    turn?.done();
    // The segments are timed without holding up the frame: the placer learns when they are done.
    // Done when the GPU is (a frame whose last stage ran elsewhere still presents on it).
    const gpuDone = this.gpu.device.queue.onSubmittedWorkDone();
    this.framesOnGpu++;
    void gpuDone.finally(() => this.framesOnGpu--).catch(() => {});
    const timing = Promise.all([...submitted, gpuDone]).then(() => {
      const finishedAt = now();
      // What a clean frame that ran alone spent beyond its stages and moves.
      if (clean && aloneAtStart && this.#starts === start)
        measurement.frameMs = Math.max(0, finishedAt - startedAt - partsMs(measurement));
      this.placer.measured(measurement);
      const t: FrameTiming = { sequence, startedAt, finishedAt, busy: busyOf(measurement) };
      this.timings.push(t);
      if (this.timings.length > TIMINGS_KEPT) this.timings.shift();
      return t;
    });
    timing.catch(() => {}); // the device was lost mid-frame: nothing to learn from this one
    return { result, source, ownSource: source !== current, sequence, timing };
  }

  /**
   * Runs an AI stage on its placed ML target, on whichever side of the machine the frame is (the
   * segmentation effects keep a GPU frame on the GPU). A target that fails is reported to the
   * placer and the next available one runs the stage; a problem with the input itself (a frame
   * too large) or no working target skips the stage, and the frame goes on without it.
   */
  async #runMlStage(spec: StageSpec, index: number, placed: TargetKind, f: MlStageFrame) {
    const ml = this.ml;
    const available = ml?.targets ?? [];
    // After the placed target: those the placement strategy allows (a failed one is no longer
    // allowed), then any other, so the frame is not lost.
    const allowed = (t: MlTarget) => this.placer.allows?.(t) ?? true;
    const order = [placed, ...available.filter(allowed), ...available].filter(
      (t, k, all): t is MlTarget => isMlTarget(t) && available.includes(t) && all.indexOf(t) === k,
    );
    let reason: string | null = null;
    for (const target of order) {
      const at = f.pixels().on;
      const onGpu = ML_TARGET_DEVICE[target] === 'gpu';
      try {
        // Segmentation runs on the GPU side: a frame in CPU memory goes up first (a move the
        // scheduler counts: these targets' location is the GPU). Its CPU twin composites on the
        // page's thread, many times slower, and a stage whose cost hung on where the frame
        // happened to be could not be planned (one estimate mixed both).
        const gpuSide = ml!.runsOnGpu(spec.effect);
        const texture = gpuSide ? await f.toGpu() : null;
        // Super-resolution reads the frame back first (its round trip is the stage's time).
        const r0 = performance.now();
        const image = gpuSide ? null : await f.toCpu();
        const readbackMs = performance.now() - r0;
        /**
         * Whether the stage's own work is on the GPU queue (a GPU target, or the GPU side's
         * resize, readback and composite): it is then the stage's alone only on a clean frame,
         * which starts it on an idle queue and times it to the end of its GPU work. A frame read
         * back for super-resolution is learned on every frame, readback included (learned from
         * clean frames only, the endpoint's round trip at two in flight came mostly from
         * calibration, both frames at the endpoint together: predicted 1.4 fps, ran 2.4).
         */
        const usesGpu = onGpu || gpuSide;
        let ms = 0;
        const stage = async () => {
          // A clean frame's stage starts on an idle queue (other frames submit meanwhile).
          if (f.clean && usesGpu) await this.gpu.device.queue.onSubmittedWorkDone();
          const t0 = performance.now();
          if (texture) {
            const out = await ml!.runOnGpu(
              spec.effect,
              target,
              texture,
              spec.params,
              this.#env,
              f.io,
            );
            f.release(texture);
            f.set({ on: 'gpu', texture: out });
            // Submitted before another frame may use the runner's GPU buffers.
            if (f.overlapping) f.io.flush();
          } else {
            const max = this.gpu.adapter.maxTextureDimension2D;
            const out = await ml!.runOnCpu(
              spec.effect,
              target,
              image!,
              spec.params,
              this.#env,
              max,
            );
            f.set({ on: 'cpu', image: out });
          }
          // On the GPU, a model's run can resolve before its work is done; the GPU side's
          // composite is the stage's work too.
          if (f.clean && usesGpu) await this.gpu.device.queue.onSubmittedWorkDone();
          ms = readbackMs + performance.now() - t0;
        };
        // One frame at a time on each runtime (its GPU side keeps buffers between frames); the
        // endpoint takes several.
        const device = ML_TARGET_DEVICE[target] === 'remote' ? null : target;
        await (device ? this.#devices.run(device, stage) : stage());
        const clean = f.clean || !usesGpu;
        const trip = await ml!.takeRoundTrips(spec.effect, target);
        f.measurement.ml.push(
          trip
            ? {
                index,
                target,
                ms,
                clean,
                at,
                link: linkOf(trip),
              }
            : { index, target, ms, clean, at },
        );
        f.ran.push(
          target === placed
            ? { stage: spec.id, target }
            : { stage: spec.id, target, failedOver: true },
        );
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        reason ??= message; // the placed target's reason is the one to show
        if (error instanceof RangeError) break; // the input, not the target: no use trying others
        this.placer.failed(target, message);
        if (target !== order.at(-1)) this.onStageFailure?.(spec, target, message, false);
      }
    }
    reason ??= ml ? 'no ML target can run here' : 'no ML runner';
    this.onStageFailure?.(spec, placed, reason, true);
    f.ran.push({ stage: spec.id, target: placed, skipped: true, reason });
  }

  /** Gives the frame's textures back to the pool once its last work is submitted. */
  #finish(run: ChainRun): void {
    if (run.result !== run.source) this.#pool.release(run.result);
    if (run.ownSource) this.#pool.release(run.source);
    this.#pool.endFrame();
  }

  /**
   * Renders one frame and presents it. A GPU-only chain submits before the first `await`, so the
   * frame is one encoder, one submit and no readback, all in the caller's task (with several
   * frames in flight: when the frame before it has presented already).
   */
  async render(
    chain: Chain,
    frame: FrameInfo,
    presenter: Presenter,
    view: ViewTransform,
    previewWidth = 0,
  ): Promise<FrameStats> {
    const before = { ...this.gpu.counters };
    const ran: FrameStats['ran'] = [];
    let collect: (() => Promise<RgbaImage>) | undefined;
    const run = await this.#frame(
      chain,
      frame,
      ran,
      (encoder, result, source) => {
        presenter.encode(encoder, source, result, view);
        if (previewWidth > 0) collect = this.#recordPreview(encoder, result, previewWidth);
      },
      this.#turns.take(),
    );
    this.#finish(run);
    return {
      frame: frame.index,
      sequence: run.sequence,
      submits: this.gpu.counters.submits - before.submits,
      readbacks: this.gpu.counters.readbacks - before.readbacks,
      ran,
      size: [run.result.width, run.result.height],
      preview: collect?.(),
      timing: run.timing,
    };
  }

  /** Records a box-filtered copy of the result, at most `maxWidth` wide, for the CPU to read. */
  #recordPreview(
    encoder: GPUCommandEncoder,
    result: GPUTexture,
    maxWidth: number,
  ): () => Promise<RgbaImage> {
    this.#previewResize ??= new GpuResize(this.gpu, 'area');
    const [w, h] = fitSize(result.width, result.height, maxWidth);
    const small = this.#pool.acquire(w, h);
    this.#previewResize.encode(encoder, result, small);
    const collect = recordReadback(this.gpu, encoder, small);
    this.#pool.release(small);
    return collect;
  }

  /** Runs the chain without presenting; resolves once the GPU has finished (benchmarks). */
  async run(chain: Chain, frame: FrameInfo): Promise<void> {
    this.#finish(await this.#frame(chain, frame, [], () => {}));
    await this.gpu.device.queue.onSubmittedWorkDone();
  }

  /** Renders the chain at full resolution and reads it back (export, tests). */
  async renderToImage(chain: Chain, frame: FrameInfo): Promise<RgbaImage> {
    let collect: (() => Promise<RgbaImage>) | undefined;
    const run = await this.#frame(chain, frame, [], (encoder, result) => {
      collect = recordReadback(this.gpu, encoder, result);
    });
    this.#finish(run);
    return collect!();
  }

  /** The uploaded source pixels, as the GPU sees them (parity tests start from these). */
  async readSource(): Promise<RgbaImage> {
    if (!this.#source) throw new Error('no source image');
    return readTexture(this.gpu, this.#source);
  }

  destroy(): void {
    for (const owned of this.#stages.values()) owned.gpu.destroy();
    this.#stages.clear();
    this.#previewResize?.destroy();
    this.#pool.destroy();
    if (this.#source) this.gpu.destroy(this.#source);
    this.#source = null;
    for (const t of this.#retired.splice(0)) this.gpu.destroy(t);
  }
}
