import type { CpuPool } from '../cpu/cpu-pool';
import type { Chain, PixelTarget, StageSpec, StageTarget } from '../effects/chain';
import { findEffect, findMlEffect } from '../effects/catalogue';
import { createGpuStage } from '../effects/gpu';
import { isCustomEffectId } from '../effects/custom/registry';
import type { MlEffectRunner } from '../ml/effects/runner';
import { ownMs } from '../ml/remote/link';
import { spansOf, type Spans } from './spans';
import type { EffectEnv } from '../effects/effect';
import type { RgbaImage } from '../effects/image';
import type { GpuContext } from '../gpu/device';
import type { Presenter, ViewTransform } from '../gpu/presenter';
import { readTexture, recordReadback, type TextureRegion } from '../gpu/readback';
import { pinnedPlacer, type FrameMeasurement, type FramePlacer } from './placer';
import { DeviceQueues, Turns, type Turn } from './turns';
import { FrameRun } from './frame-run';
import type { RunnerContext } from './runners/context';
import { runCpuStage } from './runners/cpu';
import { runGpuStage } from './runners/gpu';
import { runMlStage } from './runners/ml';
import { fitSize } from '../ml/resize';
import { ML_TARGETS, ML_TARGET_DEVICE } from '../core/targets';
import { GpuResize } from '../ml/resize-gpu';
import type { FrameInfo, GpuStage } from '../gpu/stage';
import { DeferredReleases, TexturePool } from '../gpu/texture-pool';
import { uploadImage, type UploadPath } from '../gpu/upload';
import { FRAME_TARGET_USAGE, FrameUploader, type FrameUploadPath } from '../gpu/upload-frame';
import { CheckPace, FrameWatch } from '../gpu/frame-watch';
import { TextureGuard } from '../gpu/texture-guard';

/** The AI runtimes that work on the GPU on a device of their own (the app's queue never sees it). */
const GPU_SHARING_TARGETS = ML_TARGETS.filter((t) => ML_TARGET_DEVICE[t] === 'gpu');
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
    /** The custom effect whose code ran (a custom stage: its own, or its previous version's). */
    code?: string;
  }[];
  /** The result's size: the source's, unless a stage changed it (super-resolution). */
  size: [number, number];
  /** A downscaled copy of the result, when one was asked for (scopes). */
  preview?: Promise<RgbaImage>;
  /** A downscaled copy of the frame's source, when one was asked for (tone histograms). */
  sourcePreview?: Promise<RgbaImage>;
  /** When the frame's last GPU work is done: its start, end and each target's time. */
  timing: Promise<FrameTiming>;
}

/** Widths of the small copies a frame reads back with it (absent or 0: none). */
export interface PreviewWidths {
  /** Of the result (the scopes). */
  result?: number;
  /** Of the source, before the chain (the Levels and Curves histograms). */
  source?: number;
}

/** One frame's wall-clock span and the time each target spent on it (ms, the engine's clock). */
export interface FrameTiming {
  sequence: number;
  startedAt: number;
  finishedAt: number;
  /**
   * Timed cleanly (each GPU segment from an idle queue to its end: the frames the scheduler
   * learns from), which costs the frame a wait at each segment.
   */
  clean: boolean;
  /** By target ("gpu", "cpu", an ML target) and "transfer" (readbacks, uploads, the network). */
  busy: Record<string, number>;
  /** When each target was at work on the frame (clock ms, [start, end]), keyed as `busy`. */
  spans: Spans;
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
 * A frame's guard found the GPU holding pixels nothing wrote — the still source changed since its
 * upload, or a free work texture lost what was just written to it — with no GPU error: the
 * device's memory is not to be trusted (the session renders the frame again on a new device).
 */
export class HeldWrongError extends Error {
  /**
   * `what`: a frame checked before it was shown or written, which was not (a still image's, a
   * paused video's, an exported frame's), or the watch beside a stream's frames (video playback,
   * the camera, the 3D scene running), some of which may have shown.
   */
  constructor(
    readonly moved: number,
    readonly what: 'checked' | 'watched' = 'checked',
  ) {
    super(
      `the GPU returned ${moved} bytes of the checked rows that are not what was written (${what === 'checked' ? 'the image or a canary' : 'a canary'}, or a work texture just written from it), with no GPU error`,
    );
    this.name = 'HeldWrongError';
  }
}

/**
 * GPU memory the engine lets frames in flight take (bytes). Each frame holds about three
 * frame-sized textures at once (its copy of the source, a stage's input and output), larger
 * after super-resolution; more frames in flight than fit are not started.
 */
export const FRAME_MEMORY_BUDGET = 512 * 2 ** 20;

/** A frame that ran: its result, the source it read (its own copy, or the engine's), timing. */
interface ChainRun {
  result: GPUTexture;
  source: GPUTexture;
  ownSource: boolean;
  sequence: number;
  timing: Promise<FrameTiming>;
}

/** A frame's source, taken before the frame started (see `#checkedSource`). */
interface Held {
  source: GPUTexture | null;
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
  /** Watches a still source, and the work textures frames take, for pixels nothing wrote. */
  #sourceGuard: TextureGuard | null = null;
  /** Watches a canary, and the work textures, while the source changes every frame. */
  #frameWatch: FrameWatch | null = null;
  /** Paces the checks beside a run of frames. */
  readonly #pace: CheckPace;
  #destroyed = false;
  /**
   * Whether the GPU's memory is checked — a still image's source against its upload, a changing
   * source's (video, camera, 3D scene) through a canary (`FrameWatch`) — before each frame that is
   * not one of a run, and beside a run's frames (`#watchFrames`). On a compatibility-mode adapter
   * (Chromium's OpenGL ES backend, which now and then corrupts textures with no GPU error). Read
   * when a source is set and each frame.
   */
  guardsMemory: boolean;
  /**
   * Told when a check beside a run's frames found the GPU holding pixels nothing drew (the session
   * replaces the device). A frame that waited for its check fails with the error instead.
   */
  onHeldWrong: ((error: HeldWrongError) => void) | null = null;
  #frameUploader: FrameUploader | null = null;
  /** The last frames' timings, oldest first (the live panel's numbers are checked against it). */
  readonly timings: FrameTiming[] = [];
  /**
   * The most frames the owner has in flight at once, read from the owner's one setting (the
   * session's frame loop limits them; the engine only needs to know whether they may overlap).
   * Above 1 a frame works from its own copy of the source when it awaits, submits what it
   * records before awaiting, and presents in turn.
   */
  inFlightLimit: () => number = () => 1;

  get framesInFlight(): number {
    return this.inFlightLimit();
  }
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
  readonly #devices: DeviceQueues;
  /** Replaced sources that frames in flight may still read. */
  readonly #retired: GPUTexture[] = [];
  /** Frames that took their source but have not started (a guarded still's, during its check). */
  #holding = 0;
  /** Frames submitted whose GPU work is not done yet. */
  framesOnGpu = 0;
  /** Frames started so far (a frame that saw none start while it ran, ran alone). */
  #starts = 0;
  /** Debug: the video upload path to try first (tests cover each path with it). */
  #forcedUploadPath: FrameUploadPath | null = null;
  #previewResize: GpuResize | null = null;
  readonly #now: () => number;
  /** What the stage runners (src/engine/runners/) use of the engine. */
  readonly #runners: RunnerContext;

  /**
   * `clock`: milliseconds on a monotonic clock (the frames' timings and the stages' times);
   * injected, so the engine runs and is timed the same anywhere.
   */
  constructor(
    gpu: GpuContext,
    env: EffectEnv,
    cpu: CpuPool | null = null,
    clock: () => number = () => performance.now(),
  ) {
    this.gpu = gpu;
    this.guardsMemory = gpu.adapter.featureLevel === 'compatibility';
    this.#env = env;
    this.#cpu = cpu;
    this.#now = clock;
    this.#devices = new DeviceQueues(clock);
    this.#pace = new CheckPace(clock);
    this.#pool = new TexturePool(gpu);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const engine = this;
    this.#runners = {
      get placer() {
        return engine.placer;
      },
      get ml() {
        return engine.ml;
      },
      get onStageFailure() {
        return engine.onStageFailure;
      },
      devices: this.#devices,
      cpu,
      env,
      gpuStage: (spec) => this.#stageFor(spec).gpu,
      now: clock,
    };
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

  /** The size of the source the next frame starts from (null: none yet). */
  get frameSourceSize(): { width: number; height: number } | null {
    return this.#source && { width: this.#source.width, height: this.#source.height };
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
    this.#sourceGuard?.destroy();
    this.#sourceGuard = null;
    return this.#source;
  }

  /** Destroys a replaced source once no frame in flight can still read it and the queue is done. */
  #retire(texture: GPUTexture): void {
    if (this.running === 0 && this.#holding === 0) this.gpu.destroyWhenDone(texture);
    else this.#retired.push(texture);
  }

  /** Destroys the replaced sources once no frame runs or holds one. */
  #flushRetired(): void {
    if (this.running > 0 || this.#holding > 0) return;
    for (const t of this.#retired.splice(0)) this.gpu.destroyWhenDone(t);
  }

  #checkSize(width: number, height: number): void {
    const max = this.gpu.adapter.maxTextureDimension2D;
    if (width > max || height > max)
      throw new RangeError(`${width}×${height} exceeds this GPU's ${max} px limit`);
  }

  /**
   * A guarded still's frame: takes the source now, as an unguarded frame does in the call (a
   * caller may set the next image as soon as it returns: the triad command's batch does), holds it
   * until the frame starts, and fails with `HeldWrongError` if the GPU holds pixels nothing drew
   * in it or in a free work texture. Checked before the frame starts, not while it runs: awaited
   * mid-frame it let the next frame in beside it, which then took a copy of the source.
   */
  async #checkedSource(): Promise<Held> {
    const held = { source: this.#source };
    this.#holding++;
    try {
      const moved = this.#sourceGuard
        ? await this.#sourceGuard.changed(this.#pool.freeTextures)
        : await this.#watch.check(this.#source, this.#pool.freeTextures);
      this.#pace.checked();
      if (moved) throw new HeldWrongError(moved);
    } catch (error) {
      this.#holding--;
      this.#flushRetired();
      throw error;
    }
    return held; // `#frame` takes the hold over
  }

  /**
   * Where the memory is checked, a frame of a run (playback, the camera, the scene running,
   * Compare's feed) has a check go on the queue before its work, at most every
   * `WATCH_INTERVAL_MS`; what it finds is told to `onHeldWrong`, not awaited by the frame. The
   * check: a still's own guard (its source against its upload), or the canary and a changing
   * source's rows.
   */
  #watchFrames(): void {
    const guard = this.#sourceGuard;
    const source = this.#source;
    const free = this.#pool.freeTextures;
    const watch = guard ? null : this.#watch;
    const check = () => (guard ? guard.changed(free) : watch!.check(source, free));
    this.#pace.ifDue(check)?.then(
      (moved) => {
        // Not told once the engine is gone (its device with it, or replaced already).
        if (moved && !this.#destroyed) this.onHeldWrong?.(new HeldWrongError(moved, 'watched'));
      },
      () => {}, // its device was lost or destroyed: the loss is handled where it is seen
    );
  }

  get #watch(): FrameWatch {
    return (this.#frameWatch ??= new FrameWatch(this.gpu));
  }

  /**
   * Whether a frame `render` presents waits for a check of the GPU's memory before it starts
   * (else, where memory is checked, the check goes beside it: `#watchFrames`): a frame that is
   * not one of a run (`FrameInfo.inRun`), of a still image (its source against its upload) or of
   * a changing source (a paused video's, a seek's: the canary and the source's rows). (A frame of
   * a changing source that waits may find the next frame uploaded into the source when it
   * starts: a seek's during a paused frame's check; it then shows that one.)
   */
  #checksFirst(frame: FrameInfo): boolean {
    return this.#checks && !(frame.inRun ?? frame.live);
  }

  /** Whether this source's frames have the GPU's memory checked (a still's, or guarded). */
  get #checks(): boolean {
    return !!this.#sourceGuard || this.#watches;
  }

  /** Whether the memory is watched beside this source's frames (a changing source's, guarded). */
  get #watches(): boolean {
    return this.guardsMemory && this.#sourceTakesFrames;
  }

  /** Fault injection (tests): zeros over the frame watch's canary, as the GL backend does. */
  blackOutCanary(): void {
    this.#watch.blackOut();
  }

  /**
   * Fault injection (tests): writes zeros over the still source in place, as Chromium's GL backend
   * does to a texture now and then with no error.
   */
  blackOutSource(): void {
    const source = this.#source;
    if (!source || this.#sourceTakesFrames) throw new Error('no still source');
    const zeros = new Uint8Array(source.width * source.height * 4);
    this.gpu.device.queue.writeTexture(
      { texture: source },
      zeros,
      { bytesPerRow: source.width * 4 },
      [source.width, source.height],
    );
  }

  /** Replaces the source image. The caller keeps the bitmap (to rebuild after device loss). */
  setSource(image: ImageBitmap | RgbaImage): void {
    this.#checkSize(image.width, image.height);
    const uploaded = uploadImage(this.gpu, image, 'Triad.source');
    if (this.#source) this.#retire(this.#source);
    this.#source = uploaded.texture;
    this.#sourceTakesFrames = false;
    this.#uploadPath = uploaded.path;
    this.#sourceGuard?.destroy();
    this.#sourceGuard = this.guardsMemory ? new TextureGuard(this.gpu, uploaded.texture) : null;
  }

  #stageFor(spec: StageSpec): OwnedStage {
    const owned = this.#stages.get(spec.id);
    if (owned && owned.effect === spec.effect) return owned;
    const effect = findEffect(spec.effect);
    if (!effect) throw new Error(`unknown effect "${spec.effect}"`);
    // A custom stage's new code: the old version draws until the new one compiles (and is
    // destroyed by it then).
    const handOver = owned && effect.category === 'custom' && isCustomEffectId(owned.effect);
    if (owned && !handOver) owned.gpu.destroy();
    const created: OwnedStage = {
      effect: spec.effect,
      gpu: createGpuStage(effect.id, this.gpu, this.#env, handOver ? owned.gpu : null),
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
    held: Held | null = null,
  ): Promise<ChainRun> {
    this.running++;
    if (held) this.#holding--; // running from here
    this.peakRunning = Math.max(this.peakRunning, this.running);
    let enabled: StageSpec[] = [];
    try {
      this.#reconcile(chain);
      enabled = chain.stages.filter((s) => s.enabled);
      this.#use(enabled, 1);
      return await this.#runChain(enabled, frame, ran, finish, turn, held);
    } finally {
      turn?.done(); // a frame that failed gives up its turn
      this.running--;
      this.#use(enabled, -1);
      this.#flushRetired();
    }
  }

  async #runChain(
    enabled: readonly StageSpec[],
    frame: FrameInfo,
    ran: FrameStats['ran'],
    finish: (encoder: GPUCommandEncoder, result: GPUTexture, source: GPUTexture) => void,
    turn: Turn | null,
    held: Held | null,
  ): Promise<ChainRun> {
    const current = held ? held.source : this.#source;
    if (!current) throw new Error('no source image');
    const now = this.#now;
    const startedAt = now();
    const start = ++this.#starts;
    const aloneAtStart = this.running === 1 && this.framesOnGpu === 0;
    // Without a worker pool, CPU pins run on the GPU.
    const sequence = ++this.#sequence;
    const targets = this.placer
      .place(enabled, sequence - 1, current.width * current.height)
      .map((t) => (t === 'cpu' && !this.#cpu ? 'gpu' : t));
    // Clean timing on the frames the placer learns from (calibration, and one in ten after):
    // see `FrameRun`.
    const clean = this.placer.cleanTiming?.(sequence - 1) ?? false;
    const overlapping = this.framesInFlight > 1;
    // A frame that awaits before presenting works from its own copy of the source (the next
    // frame's may be written meanwhile).
    const source =
      overlapping && (clean || targets.some((t) => t !== 'gpu') || !(turn?.isReady() ?? true))
        ? this.#pool.acquire(current.width, current.height)
        : current;
    const run = new FrameRun(
      {
        gpu: this.gpu,
        pool: this.#pool,
        upload: (image) => this.#upload(image),
        now,
        sharedGpuBusy: (from, to) => this.#devices.ranBetween(GPU_SHARING_TARGETS, from, to),
      },
      {
        index: frame.index,
        live: frame.live ?? false,
        measurement: { frame: sequence - 1, cpu: [], gpu: [], ml: [], transfers: [] },
        clean,
        overlapping,
        source,
        lender: overlapping ? new DeferredReleases(this.#pool) : null,
      },
    );
    if (source !== current) {
      // Recorded first into the frame's encoder, which is submitted before the frame's first
      // await: the next frame's source is written only after this copy on the queue.
      run.encoder.copyTextureToTexture({ texture: current }, { texture: source }, [
        current.width,
        current.height,
      ]);
      run.dirty = true;
    }
    const ctx = this.#runners;
    for (let i = 0; i < enabled.length; i++) {
      const spec = enabled[i];
      if (findMlEffect(spec.effect)) {
        if (clean) {
          // The GPU stages before it are timed on their own, then the queue is idle.
          if (run.dirty) await run.submitAndWait();
          await run.idle();
        } else if (overlapping && run.dirty) {
          run.flush(); // a model may await before it records (loading), see FrameRun
        }
        await runMlStage(ctx, this.gpu, run, spec, i, targets[i], ran);
        continue;
      }
      const placed = targets[i] as PixelTarget;
      const target =
        placed === 'cpu' && (await runCpuStage(ctx, run, spec, i, frame)) ? 'cpu' : 'gpu';
      if (target === 'gpu') {
        // Awaited only when it waits for something (see runGpuStage).
        const recording = runGpuStage(ctx, run, this.#pool, spec, i, frame);
        if (recording) await recording;
      }
      const gpuStage = target === 'gpu' ? this.#stageFor(spec).gpu : null;
      const broken = gpuStage?.unavailable?.();
      const code = gpuStage?.ranCode?.();
      if (broken) ran.push({ stage: spec.id, target, skipped: true, reason: broken });
      else
        ran.push({
          stage: spec.id,
          target,
          ...(target !== placed && { failedOver: true }),
          ...(code && { code }),
        });
    }
    const result = run.pixels.on === 'gpu' ? run.pixels.texture : await run.toGpu();
    // On a clean frame the last GPU stages are timed without the present after them (it is the
    // same whichever target ran them).
    if (clean && run.segmentOpen) run.flush();
    if (turn && !turn.isReady()) {
      // Frames before this one have not presented yet: submit what is recorded, wait, present.
      if (run.dirty) run.flush();
      await turn.ready();
    }
    finish(run.encoder, result, source);
    run.submitted.push(run.submitTimed());
    turn?.done();
    // The segments are timed without holding up the frame: the placer learns when they are done.
    // Done when the GPU is (a frame whose last stage ran elsewhere still presents on it).
    const gpuDone = this.gpu.device.queue.onSubmittedWorkDone();
    this.framesOnGpu++;
    void gpuDone.finally(() => this.framesOnGpu--).catch(() => {});
    const measurement = run.measurement;
    const timing = Promise.all([...run.submitted, gpuDone]).then(() => {
      const finishedAt = now();
      // What a clean frame that ran alone spent beyond its stages and moves.
      if (clean && aloneAtStart && this.#starts === start)
        measurement.frameMs = Math.max(0, finishedAt - startedAt - partsMs(measurement));
      this.placer.measured(measurement);
      const t: FrameTiming = {
        sequence,
        startedAt,
        finishedAt,
        clean,
        busy: busyOf(measurement),
        spans: spansOf(measurement),
      };
      this.timings.push(t);
      if (this.timings.length > TIMINGS_KEPT) this.timings.shift();
      return t;
    });
    timing.catch(() => {}); // the device was lost mid-frame: nothing to learn from this one
    return { result, source, ownSource: source !== current, sequence, timing };
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
    previews: PreviewWidths = {},
  ): Promise<FrameStats> {
    // Unguarded, nothing is awaited before the frame starts: a video frame takes its source in
    // the call (the next is uploaded into the same texture as soon as it returns).
    const held = this.#checksFirst(frame) ? await this.#checkedSource() : null;
    if (!held && this.#checks) this.#watchFrames();
    const before = { ...this.gpu.counters };
    const ran: FrameStats['ran'] = [];
    let collect: (() => Promise<RgbaImage>) | undefined;
    let collectSource: (() => Promise<RgbaImage>) | undefined;
    const run = await this.#frame(
      chain,
      frame,
      ran,
      (encoder, result, source) => {
        presenter.encode(encoder, source, result, view);
        if (previews.result) collect = this.#recordPreview(encoder, result, previews.result);
        if (previews.source) collectSource = this.#recordPreview(encoder, source, previews.source);
      },
      this.#turns.take(),
      held,
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
      sourcePreview: collectSource?.(),
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

  /**
   * Renders the chain at full resolution and reads it back (export, the triad command, tests).
   * `ran` receives each stage's target, and why a stage was skipped.
   */
  async renderToImage(
    chain: Chain,
    frame: FrameInfo,
    ran: FrameStats['ran'] = [],
  ): Promise<RgbaImage> {
    return (await this.#renderToImage(chain, frame, ran, null)).image;
  }

  /**
   * As `renderToImage`, and reads back `region` of the source the chain started from, in the
   * same submit (nearly free): export checks it against the decoded frame
   * (`src/session/export-check.ts`).
   */
  renderToImageWithSource(
    chain: Chain,
    frame: FrameInfo,
    region: TextureRegion,
    ran: FrameStats['ran'] = [],
  ): Promise<{ image: RgbaImage; source: RgbaImage }> {
    return this.#renderToImage(chain, frame, ran, region) as Promise<{
      image: RgbaImage;
      source: RgbaImage;
    }>;
  }

  async #renderToImage(
    chain: Chain,
    frame: FrameInfo,
    ran: FrameStats['ran'],
    region: TextureRegion | null,
  ): Promise<{ image: RgbaImage; source: RgbaImage | null }> {
    let collect: (() => Promise<RgbaImage>) | undefined;
    let collectSource: (() => Promise<RgbaImage>) | undefined;
    // A still's frame is checked before it starts (the source against its upload); a changing
    // source's frame has the canary checked on the queue before its work, and is not given out
    // if that found memory wrong (the frame's readback waits for the GPU anyway): nothing wrong
    // is written to a file.
    const held = this.#sourceGuard ? await this.#checkedSource() : null;
    const checked = this.#watches ? this.#watch.check(this.#source, this.#pool.freeTextures) : null;
    checked?.catch(() => {}); // awaited below, unless the frame fails first (its device lost)
    const run = await this.#frame(
      chain,
      frame,
      ran,
      (encoder, result, source) => {
        collect = recordReadback(this.gpu, encoder, result);
        if (region) collectSource = recordReadback(this.gpu, encoder, source, region);
      },
      null,
      held,
    );
    this.#finish(run);
    const [image, source, moved] = await Promise.all([
      collect!(),
      collectSource?.() ?? null,
      checked ?? 0,
    ]);
    if (moved) throw new HeldWrongError(moved);
    return { image, source };
  }

  /**
   * The uploaded source pixels, as the GPU sees them (parity tests start from these), or the part
   * of them in `region` (the colour picker), clamped to the source.
   */
  async readSource(region?: TextureRegion): Promise<RgbaImage> {
    const source = this.#source;
    if (!source) throw new Error('no source image');
    if (!region) return readTexture(this.gpu, source);
    const x = Math.min(source.width - 1, Math.max(0, Math.floor(region.x)));
    const y = Math.min(source.height - 1, Math.max(0, Math.floor(region.y)));
    const clamped = {
      x,
      y,
      width: Math.max(1, Math.min(source.width - x, Math.floor(region.width))),
      height: Math.max(1, Math.min(source.height - y, Math.floor(region.height))),
    };
    return readTexture(this.gpu, source, undefined, clamped);
  }

  destroy(): void {
    this.#destroyed = true;
    for (const owned of this.#stages.values()) owned.gpu.destroy();
    this.#stages.clear();
    this.#previewResize?.destroy();
    this.#pool.destroy();
    if (this.#source) this.gpu.destroy(this.#source);
    this.#source = null;
    this.#sourceGuard?.destroy();
    this.#sourceGuard = null;
    this.#frameWatch?.destroy();
    this.#frameWatch = null;
    for (const t of this.#retired.splice(0)) this.gpu.destroy(t);
  }
}
