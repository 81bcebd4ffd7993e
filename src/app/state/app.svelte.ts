import {
  LutStore,
  findEntry,
  findMlEffect,
  type Chain,
  type EffectEnv,
  type StageSpec,
} from '../../effects';
import { CpuPool } from '../../cpu';
import { MlEffectRunner, type ModelStats } from '../../ml/effects/runner';
import type { Availability } from '../../ml/runtime/ort';
import { isMlTarget, type MlTarget } from '../../core/targets';
import { isLocalEndpoint } from '../../ml/remote/client';
import type { RgbaImage } from '../../effects/image';
import { Engine, SchedulerPlacer, type FrameStats } from '../../engine';
import { MAX_IN_FLIGHT } from '../../scheduler';
import type { DeviceStatus } from '../../session/device';
import { Session, type FrameRequest } from '../../session/session';
import type { FrameSourceHost } from '../../session/frame-source-host';
import type { FrameSource } from '../../session/source-slot';
import { HOST_TIMERS } from '../../session/timers';
import type { Strategy } from '../../core';
import { GpuContext, Presenter, type AdapterSummary, type GpuOptions } from '../../gpu';
import { ChainDocument } from '../../session/chain-document';
import { PLACEMENT_MODES, Placements, type PlacementMode } from '../../session/placement';
import { BusyState } from './busy.svelte';
import { ExportState } from './exporter.svelte';
import { Files } from './files';
import { Notices } from './notices.svelte';
import { SCOPE_PREVIEW_WIDTH, ScopesState } from './scopes.svelte';
import { ViewState } from './view.svelte';
import { EndpointState } from './endpoint.svelte';
import { VideoState } from './video.svelte';
import type { FrameUploadPath } from '../../gpu/upload-frame';
import { CameraState } from './camera.svelte';
import { PerfState } from './perf.svelte';
import { SceneState } from './scene.svelte';

export type GpuStatus = DeviceStatus;

export { PLACEMENT_MODES, type PlacementMode };
const PLACEMENT_KEY = 'triad.placement';
const IN_FLIGHT_KEY = 'triad.framesInFlight';

export interface SourceImage {
  name: string;
  /** Kept so the texture can be rebuilt after the GPU device is lost (null for a video). */
  bitmap: ImageBitmap | null;
  width: number;
  height: number;
}

export interface AppOptions {
  gpu: GpuOptions;
  storage: Storage | null;
  /** CPU worker count (at least 1). */
  workers: number;
  /** Debug: the video upload path to try first (?upload=…). */
  uploadPath?: FrameUploadPath | null;
}

export const WORKERS_KEY = 'triad.workers';

/**
 * The application: GPU device and engine, the open image, the chain with its undo history, the
 * viewer and the notices. Components read its state and call its methods; nothing else talks to
 * the GPU.
 */
export class AppState {
  readonly notices = new Notices();
  readonly view = new ViewState();
  readonly luts: LutStore;
  readonly env: EffectEnv;
  /** The inference endpoint (the remote ML target). */
  readonly endpoint: EndpointState;
  /** The video source and its playback (when a video is open). */
  readonly video: VideoState;
  /** The webcam, when it is the source. */
  readonly camera: CameraState;
  /** The 3D preview scene, when it is the source. */
  readonly scene: SceneState;
  #frameIndex = 0;
  readonly scopes: ScopesState;
  /** The live performance panel. */
  readonly perf: PerfState;

  gpuStatus = $state<GpuStatus>('starting');
  gpuProblem = $state<string | null>(null);
  adapter = $state.raw<AdapterSummary | null>(null);
  /** Increments each time a device is (re)created. */
  deviceGeneration = $state(0);
  image = $state.raw<SourceImage | null>(null);
  /** The long work going on now (opening, exporting, loading a model), shown over the viewer. */
  readonly busy = new BusyState();
  /** Opening images, videos, LUTs and background images. */
  readonly files: Files;
  /** Exporting the video or the frame on screen. */
  readonly exporter: ExportState;
  /** Each ML target's availability here, and why not. */
  mlTargets = $state.raw<Partial<Record<MlTarget, Availability>>>({});
  /** Load and inference times of the loaded models (AI stages show them). */
  mlStats = $state.raw<ModelStats[]>([]);
  lastFrame = $state.raw<FrameStats | null>(null);
  /** CPU worker count (the pool's size). */
  workers = $state(1);
  placement = $state<PlacementMode>('manual');
  /**
   * Frames the app has in flight at most: 2 lets one frame's CPU and AI stages overlap the next
   * frame's (the scheduler plans for it); 1 runs one frame at a time.
   */
  framesInFlight = $state(2);
  /** Bumped when a LUT arrives, so stages waiting for it re-render. */
  lutVersion = $state(0);

  readonly #options: AppOptions;
  /** The chain with its undo history, saved and shared as it changes (src/session). */
  readonly #doc: ChainDocument;
  #historyVersion = $state(0);
  /** The still image as a source: its bitmap is closed when another image replaces it. */
  readonly #imageSource: FrameSource = {
    restore: () => {
      if (this.image?.bitmap) this.#session.engine?.setSource(this.image.bitmap);
    },
    release: () => {},
  };
  /** The device, the engine, the source slot and the frames in flight (src/session). */
  readonly #session: Session;
  #canvas: HTMLCanvasElement | null = null;
  readonly #cpu: CpuPool;
  readonly #ml = new MlEffectRunner(import.meta.env.BASE_URL, (p) => {
    this.busy.label = p ? `${p.label}…` : null;
    this.busy.progress = p?.fraction ?? null;
  });
  /** Background images dropped on AI stages, by id (this session only: they are not saved). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly backgroundImages = new Map<string, RgbaImage>();
  /** The strategies' schedulers (src/session). */
  readonly #placements: Placements;
  /** Settles once the ML runtimes have moved to the current device. */
  #mlOnGpu: Promise<void> = Promise.resolve();
  // Not reactive on purpose: it only filters repeats before they become notices.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #recentErrors = new Set<string>();

  constructor(options: AppOptions) {
    this.#options = options;
    this.luts = new LutStore(options.storage);
    this.#doc = new ChainDocument(
      {
        storage: options.storage,
        writeHash:
          typeof history === 'undefined'
            ? undefined
            : (hash) =>
                history.replaceState(null, '', `${location.pathname}${location.search}${hash}`),
      },
      (chain) => {
        this.#historyVersion++;
        // The endpoint's health matters only while a stage may run a model.
        this.endpoint.watch(chain.stages.some((s) => findMlEffect(s.effect)));
      },
    );
    this.#session = new Session(
      {
        gpu: options.gpu,
        timers: HOST_TIMERS,
        requestFrame: (callback) =>
          typeof requestAnimationFrame === 'undefined'
            ? setTimeout(callback, 16)
            : requestAnimationFrame(() => callback()),
        inFlight: () => this.framesInFlight,
        createEngine: (gpu) => this.#createEngine(gpu),
        frame: (size) => this.#frameRequest(size),
      },
      {
        ready: (gpu) => {
          this.#mlOnGpu = this.#ml.setGpu(gpu).then(() => {
            this.mlTargets = Object.fromEntries(this.#ml.availability);
            this.requestRender();
          });
          this.adapter = gpu.adapter;
        },
        lost: (message, recovering) => {
          if (recovering)
            this.notices.warning(
              'GPU device lost',
              `${message}. Recreating it and rebuilding resources…`,
            );
        },
        error: (message) => this.#onGpuError(message),
        status: (status, problem) => {
          this.gpuStatus = status;
          this.gpuProblem = problem;
          if (status === 'ready') this.deviceGeneration = this.#session.device.generation;
        },
        frame: (stats) => this.#framePresented(stats),
      },
    );
    this.workers = Math.max(1, options.workers);
    this.#cpu = new CpuPool(this.workers);
    this.scopes = new ScopesState(this.#cpu, options.storage);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const app = this;
    this.perf = new PerfState({
      get placement() {
        return app.placement === 'manual' ? 'manual' : app.placement;
      },
      get workload() {
        return app.workload;
      },
      get lastTargets() {
        // A snapshot each time it is read, not state.
        // eslint-disable-next-line svelte/prefer-svelte-reactivity
        return new Map(app.lastFrame?.ran.map((r) => [r.stage, r.target]) ?? []);
      },
      placer: (strategy) => this.placer(strategy),
      get dropped() {
        return app.video.dropped + app.camera.dropped;
      },
      queueDepth: () => ({
        gpu: this.#session.engine?.framesOnGpu ?? 0,
        cpu: this.#cpu.pool.queued + this.#cpu.pool.busy,
      }),
    });
    const saved = options.storage?.getItem(PLACEMENT_KEY);
    if (PLACEMENT_MODES.some((m) => m.id === saved)) this.placement = saved as PlacementMode;
    const inFlight = Number(options.storage?.getItem(IN_FLIGHT_KEY));
    if (Number.isInteger(inFlight) && inFlight >= 1 && inFlight <= MAX_IN_FLIGHT)
      this.framesInFlight = inFlight;
    this.env = { lut: (id) => this.luts.get(id), image: (id) => this.backgroundImages.get(id) };
    const engine = () => this.#session.engine;
    /** What a frame source needs of the app; showing itself, it takes the one-source slot. */
    const frameHost = (stopped: string, source: () => FrameSource): FrameSourceHost => ({
      get engine() {
        return engine();
      },
      renderNow: () => this.renderNow(),
      frameSlot: () => this.frameSlot(),
      startFrame: () => this.startFrame(),
      showSource: (shown) => {
        if (shown) {
          void this.#session.sources.take(source());
          this.view.fit();
        }
        const previous = this.image;
        this.image = shown ? { ...shown, bitmap: null } : null;
        previous?.bitmap?.close();
      },
      setFrameIndex: (index) => (this.#frameIndex = index),
      onError: (reason) => this.notices.error(stopped, reason),
    });
    const sources = {
      video: {
        restore: () => this.video.restore(),
        release: () => this.video.remove(),
      },
      camera: {
        restore: () => this.camera.restore(),
        release: () => this.camera.stop(),
      },
      scene: {
        restore: () => this.scene.restore(),
        release: () => this.scene.stop(),
      },
    } satisfies Record<string, FrameSource>;
    this.video = new VideoState(frameHost('Playback stopped', () => sources.video));
    this.camera = new CameraState(frameHost('Camera stopped', () => sources.camera));
    this.scene = new SceneState(frameHost('3D scene stopped', () => sources.scene));
    this.endpoint = new EndpointState(options.storage, (client, health) => {
      this.#ml.setEndpoint(client, health);
      this.#setEndpointLocal(isLocalEndpoint(client.settings.url));
      this.mlTargets = Object.fromEntries(this.#ml.availability);
      this.requestRender();
    });
    this.#placements = new Placements(
      () => performance.now(),
      () => this.#ml.targets,
      () => this.framesInFlight,
      isLocalEndpoint(this.endpoint.settings.url),
    );
    this.files = new Files(this);
    this.exporter = new ExportState({
      notices: this.notices,
      busy: this.busy,
      video: this.video,
      device: this.#session.device,
      get chain() {
        return app.chain;
      },
      get engine() {
        return app.engine;
      },
      get imageName() {
        return app.image?.name ?? null;
      },
      inFlight: (stages, size, height, chainScale) =>
        this.#placements.exportInFlight(this.placement, stages, size, height, chainScale),
      createEngine: (gpu, inFlight) => {
        const engine = new Engine(gpu, this.env, this.#cpu);
        engine.ml = this.#ml;
        // Stages go where the app places them (a strategy, or the user's pins).
        engine.placer = this.#placements.forMode(this.placement);
        engine.inFlightLimit = () => inFlight;
        return engine;
      },
      mlReady: () => this.#mlOnGpu,
    });
  }

  // ---- chain & history (src/session/chain-document.ts) --------------------------------------

  get chain(): Chain {
    void this.#historyVersion;
    return this.#doc.chain;
  }

  get canUndo(): boolean {
    void this.#historyVersion;
    return this.#doc.canUndo;
  }

  get canRedo(): boolean {
    void this.#historyVersion;
    return this.#doc.canRedo;
  }

  /** Applies an edit as one undo step; edits sharing a `gesture` key merge into one. */
  edit(fn: (chain: Chain) => Chain, gesture?: string): void {
    this.#doc.edit(fn, gesture);
  }

  /** Ends a slider drag or typing burst, so the next edit is a separate undo step. */
  endGesture(): void {
    this.#doc.endGesture();
  }

  undo(): void {
    this.#doc.undo();
  }

  redo(): void {
    this.#doc.redo();
  }

  /** Replaces the chain as a new document (a shared link, a test); clears undo. */
  replaceChain(chain: Chain): void {
    this.#doc.replace(chain);
  }

  /** Restores the chain from a shared link if there is one, else from the last session. */
  restoreChain(hash: string): void {
    this.#doc.restore(hash, {
      repaired: (what, problems) =>
        this.notices.warning(`${what} needed repairs`, problems.join('; ')),
      unreadable: (what, reason) =>
        this.notices.error(`${what} could not be read`, `${reason}. It was ignored.`),
    });
  }

  // ---- GPU lifecycle ------------------------------------------------------------------------

  start(): Promise<void> {
    return this.#session.device.start();
  }

  /** The engine on a new device: stages placed as the app says, failures told once. */
  #createEngine(gpu: GpuContext): Engine {
    const engine = new Engine(gpu, this.env, this.#cpu);
    if (this.#options.uploadPath) engine.forceUploadPath(this.#options.uploadPath);
    engine.ml = this.#ml;
    engine.onStageFailure = (stage, target, reason, skipped) => {
      const name = findEntry(stage.effect)?.name ?? stage.effect;
      // Once per stage and target: a broken pool would otherwise report every band of every frame.
      const key = `failover|${stage.id}|${target}|${skipped}`;
      if (this.#recentErrors.has(key)) return;
      this.#recentErrors.add(key);
      if (skipped) {
        this.notices.error(
          'AI effect unavailable',
          `${name}: ${reason}. The stage is skipped; the rest of the chain runs.`,
        );
        return;
      }
      if (isMlTarget(target)) {
        this.notices.warning(
          'AI stage moved',
          `${name} failed on ${target} (${reason}); it ran on another target instead.`,
        );
        return;
      }
      this.notices.warning(
        'Stage moved to the GPU',
        `${name} failed on the ${target.toUpperCase()} (${reason}); it ran on the GPU instead.`,
      );
    };
    engine.placer = this.#placements.forMode(this.placement);
    return engine;
  }

  #onGpuError(message: string): void {
    // A broken kernel would report the same error every frame: show each message once.
    if (this.#recentErrors.has(message)) return;
    this.#recentErrors.add(message);
    this.notices.error('GPU error', message);
  }

  /** Simulates losing the device (test hook; also a way to reset a wedged GPU). */
  loseDevice(): void {
    this.#session.device.lose();
  }

  get gpu(): GpuContext | null {
    return this.#session.device.gpu;
  }

  /** Resizes the CPU pool (1–32 workers) and remembers the choice. */
  setWorkers(count: number): void {
    const n = Math.min(32, Math.max(1, Math.round(count)));
    if (!Number.isFinite(n)) return;
    this.workers = n;
    this.#cpu.resize(n);
    try {
      this.#options.storage?.setItem(WORKERS_KEY, String(n));
    } catch {
      // not persisted
    }
    this.requestRender();
  }

  /** The enabled stages of the chain and the source's pixel count (null: no source yet). */
  get workload(): { stages: readonly StageSpec[]; pixels: number } | null {
    const size = this.#session.engine?.sourceSize;
    if (!size) return null;
    const stages = this.#doc.chain.stages.filter((s) => s.enabled);
    return { stages, pixels: size[0] * size[1] };
  }

  /** Sets how many frames may be in flight at once (1–4), and remembers it. */
  setFramesInFlight(frames: number): void {
    if (!Number.isFinite(frames)) return;
    const n = Math.min(MAX_IN_FLIGHT, Math.max(1, Math.round(frames)));
    this.framesInFlight = n;
    this.#placements.inFlightChanged();
    try {
      this.#options.storage?.setItem(IN_FLIGHT_KEY, String(n));
    } catch {
      // not persisted
    }
    this.requestRender();
  }

  /** Chooses manual placement or a scheduling strategy, and remembers it. */
  setPlacement(mode: PlacementMode): void {
    this.placement = mode;
    try {
      this.#options.storage?.setItem(PLACEMENT_KEY, mode);
    } catch {
      // not persisted
    }
    this.#applyPlacement();
    this.requestRender();
  }

  /**
   * Runs `work` with stages placed under `mode` (compare mode), then puts the user's choice back;
   * nothing is saved.
   */
  async withPlacement<T>(mode: PlacementMode, work: () => Promise<T>): Promise<T> {
    const chosen = this.placement;
    this.placement = mode;
    this.#applyPlacement();
    try {
      return await work();
    } finally {
      this.placement = chosen;
      this.#applyPlacement();
    }
  }

  #setEndpointLocal(local: boolean): void {
    if (this.#placements.setEndpointLocal(local)) this.#applyPlacement();
  }

  /** The scheduler behind a strategy (one per strategy, all learning into one latency model). */
  placer(strategy: Strategy): SchedulerPlacer {
    return this.#placements.placer(strategy);
  }

  #applyPlacement(): void {
    const engine = this.#session.engine;
    if (engine) engine.placer = this.#placements.forMode(this.placement);
  }

  get cpu(): CpuPool {
    return this.#cpu;
  }

  get engine(): Engine | null {
    return this.#session.engine;
  }

  get canvas(): HTMLCanvasElement | null {
    return this.#canvas;
  }

  attachCanvas(canvas: HTMLCanvasElement): void {
    this.#canvas = canvas;
    this.#session.attachOutput({
      size: () => [canvas.width, canvas.height],
      presenter: (gpu) => new Presenter(gpu, canvas),
    });
  }

  detachCanvas(): void {
    this.#session.detachOutput();
    this.#canvas = null;
  }

  // ---- rendering (src/session/session.ts) ---------------------------------------------------

  requestRender(): void {
    this.#session.request();
  }

  /**
   * Resolves when no frame is in flight, asked for or waiting to start (tests sample counters
   * between frames).
   */
  idle(options: { waiting?: boolean } = {}): Promise<void> {
    return this.#session.idle(options);
  }

  /** Resolves when another frame may start (fewer than `framesInFlight` are in flight). */
  frameSlot(): Promise<void> {
    return this.#session.frameSlot();
  }

  /** Renders and presents one frame, if there is something to show; resolves when it is done. */
  renderNow(retryAfterLoss = true): Promise<FrameStats | null> {
    return this.#session.renderNow(retryAfterLoss);
  }

  /** Renders one frame with no other frame in flight, before or during it (see `Session`). */
  renderAlone<T = FrameStats | null>(use?: (stats: FrameStats | null) => T): Promise<T> {
    return this.#session.renderAlone(use);
  }

  /** Starts a frame once there is room; resolves when it has taken the source (see `Session`). */
  startFrame(options?: { retryAfterLoss?: boolean; alone?: boolean }): Promise<{
    done: Promise<FrameStats | null>;
  }> {
    return this.#session.startFrame(options);
  }

  /** What the next frame draws on a canvas of `size`: nothing without a source. */
  #frameRequest(size: readonly [number, number]): FrameRequest | null {
    if (!this.image) return null;
    return {
      chain: this.#doc.chain,
      index: this.#frameIndex,
      view: this.view.transform([size[0], size[1]], [this.image.width, this.image.height]),
      previewWidth: this.scopes.visible ? SCOPE_PREVIEW_WIDTH : 0,
    };
  }

  #framePresented(stats: FrameStats): void {
    this.lastFrame = stats;
    stats.timing.then(
      (t) => this.perf.record(t),
      () => {},
    );
    if (stats.preview) this.scopes.submit(stats.preview);
    if (this.#ml.loaded > 0 || this.mlStats.length > 0)
      void this.#ml.stats().then((s) => {
        // Only when they changed: stage cards would otherwise redraw on every video frame.
        if (JSON.stringify(s) !== JSON.stringify(this.mlStats)) this.mlStats = s;
      });
  }

  /** Makes `bitmap` (uploaded already) the source, in place of any video, camera or scene. */
  async showImage(name: string, bitmap: ImageBitmap): Promise<void> {
    const previous = this.image;
    await this.#session.sources.take(this.#imageSource);
    this.image = { name, bitmap, width: bitmap.width, height: bitmap.height };
    previous?.bitmap?.close();
    this.view.fit();
    this.requestRender();
  }

  lutAdded(): void {
    this.lutVersion++;
  }

  dispose(): void {
    this.#session.dispose();
    this.#cpu.destroy();
    void this.#ml.destroy();
    this.endpoint.dispose();
    void this.video.remove();
    this.camera.stop();
  }

  /** Models loaded (or loading) for AI effects. */
  get mlModelsLoaded(): number {
    return this.#ml.loaded;
  }

  /** The AI effects' runner (tests run its CPU path directly). */
  get ml(): MlEffectRunner {
    return this.#ml;
  }
}
