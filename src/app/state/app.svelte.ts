import { LutStore, findMlEffect, type Chain, type EffectEnv, type StageSpec } from '../../effects';
import { CpuPool } from '../../cpu';
import { isLocalEndpoint } from '../../ml/remote/client';
import { onRuntimeRestart } from '../../ml/runtime/restarts';
import type { RgbaImage } from '../../effects/image';
import { Engine, type FrameStats } from '../../engine';
import type { DeviceStatus } from '../../session/device';
import { Session, type FrameRequest } from '../../session/session';
import type { FrameSource } from '../../session/source-slot';
import { HOST_TIMERS } from '../../session/timers';
import { displayFrame } from './display-frame';
import { GpuContext, Presenter, type AdapterSummary, type GpuOptions } from '../../gpu';
import { BusyState } from './busy.svelte';
import { ExportState } from './exporter.svelte';
import { AiState } from './ai.svelte';
import { Files } from './files';
import { SchedulingState, remember } from './scheduling.svelte';
import { createFrameSources } from './frame-sources';
import { stageFailureNotices } from './stage-failures';
import { HistoryState } from './history.svelte';
import { Notices } from './notices.svelte';
import { SCOPE_PREVIEW_WIDTH, ScopesState } from './scopes.svelte';
import { SourceHistogramState, type SourceFrame } from './histogram.svelte';
import { ColourPickerState } from './colour-picker.svelte';
import { CustomEditorState } from './custom-editor.svelte';
import { ShaderTrust } from './shader-trust.svelte';
import { CustomGuard, seconds } from './custom-guard';
import { findCustomEffect } from '../../effects/custom/registry';
import { EffectLibrary } from './effect-library.svelte';
import { ViewState } from './view.svelte';
import { EndpointState } from './endpoint.svelte';
import { RecoveryState } from './recovery.svelte';
import type { VideoState } from './video.svelte';
import type { FrameUploadPath } from '../../gpu/upload-frame';
import type { CameraState } from './camera.svelte';
import { PerfState } from './perf.svelte';
import type { SceneState } from './scene.svelte';

export type GpuStatus = DeviceStatus;

export { PLACEMENT_MODES, type PlacementMode } from './scheduling.svelte';

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
  /** The chain with its undo history, saved and shared as it changes. */
  readonly history: HistoryState;
  readonly view = new ViewState();
  readonly luts: LutStore;
  readonly env: EffectEnv;
  /** The inference endpoint (the remote ML target). */
  readonly endpoint: EndpointState;
  /** What failed and what came back (the panel's recovery log, the timeline's outages). */
  readonly recovery = new RecoveryState();
  /** The video source and its playback (when a video is open). */
  readonly video: VideoState;
  /** The webcam, when it is the source. */
  readonly camera: CameraState;
  /** The 3D preview scene, when it is the source. */
  readonly scene: SceneState;
  #frameIndex = 0;
  readonly scopes: ScopesState;
  /** The source frame's histogram, for the Levels and Curves controls. */
  readonly histogram = new SourceHistogramState();
  /** Custom effects' code the user accepted, and the WGSL editor. */
  readonly shaderTrust: ShaderTrust;
  /** Which custom effects may run, and the watchdog over them. */
  readonly customGuard: CustomGuard;
  readonly customEditor: CustomEditorState;
  /** The user's custom effects, kept in this browser. */
  readonly library = new EffectLibrary(typeof indexedDB === 'undefined' ? null : indexedDB);
  /** "Pick from the picture" for colour parameters. */
  readonly colourPicker = new ColourPickerState({
    readSource: (region) => {
      const engine = this.session.engine;
      if (!engine) throw new Error('the GPU is not ready');
      return engine.readSource(region);
    },
    edit: (fn) => this.edit(fn),
    failed: (message) =>
      this.notices.warning(
        'Could not pick the colour',
        'The picture could not be read at that point; the colour was left as it was.',
        message,
      ),
  });
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
  /** The AI effects: their runner, the targets available here, the models' times. */
  readonly ai: AiState;
  lastFrame = $state.raw<FrameStats | null>(null);
  /** CPU worker count (the pool's size). */
  workers = $state(1);
  /** Where stages run (pins or a strategy) and how many frames overlap. */
  readonly scheduling: SchedulingState;
  /** Bumped when a LUT arrives, so stages waiting for it re-render. */
  lutVersion = $state(0);

  readonly #options: AppOptions;
  /** The still image as a source: its bitmap is closed when another image replaces it. */
  readonly #imageSource: FrameSource = {
    restore: () => {
      if (this.image?.bitmap) this.session.engine?.setSource(this.image.bitmap);
    },
    release: () => {},
  };
  /**
   * The device, the engine, the source slot and the frames in flight (src/session): frames are
   * rendered through it (`renderNow`, `renderAlone`, `startFrame`, `frameSlot`, `idle`).
   */
  readonly session: Session;
  #canvas: HTMLCanvasElement | null = null;
  readonly #cpu: CpuPool;
  /** Ends the recovery log's subscription to AI runtimes' restarts. */
  readonly #stopRestarts = onRuntimeRestart((e) => this.recovery.runtime(e));
  /** Background images dropped on AI stages, by id (this session only: they are not saved). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly backgroundImages = new Map<string, RgbaImage>();
  // Not reactive on purpose: it only filters repeats before they become notices.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #recentErrors = new Set<string>();

  constructor(options: AppOptions) {
    this.#options = options;
    this.luts = new LutStore(options.storage);
    this.ai = new AiState(import.meta.env.BASE_URL, this.busy, () => this.requestRender());
    this.history = new HistoryState(
      {
        storage: options.storage,
        writeHash:
          typeof history === 'undefined'
            ? undefined
            : (hash) =>
                history.replaceState(null, '', `${location.pathname}${location.search}${hash}`),
      },
      this.notices,
      // The endpoint's health matters only while a stage may run a model.
      (chain) => this.endpoint.watch(chain.stages.some((s) => findMlEffect(s.effect))),
    );
    this.session = new Session(
      {
        gpu: options.gpu,
        timers: HOST_TIMERS,
        requestFrame: displayFrame,
        inFlight: () => this.scheduling.framesInFlight,
        createEngine: (gpu) => this.#createEngine(gpu),
        frame: (size) => this.#frameRequest(size),
      },
      {
        ready: (gpu) => {
          this.ai.setGpu(gpu);
          this.adapter = gpu.adapter;
        },
        lost: (message, recovering, heldWrong) => {
          this.recovery.deviceLost(message, this.lastFrame);
          // The watchdog's own reset: its "stopped the GPU" notice said what happened and what
          // the app does (a "GPU device lost" card after it said the same again).
          const ownReset = this.customGuard.takeReset().length > 0;
          // A custom shader on the GPU when it went: say which (it may be the cause).
          const running = this.customGuard
            .suspects()
            .map((id) => `“${findCustomEffect(id)?.definition.name ?? id}”`);
          const during = running.length
            ? ` It was running the custom effect${running.length > 1 ? 's' : ''} ${running.join(', ')}.`
            : '';
          if (recovering && heldWrong === 'checked')
            this.notices.warning(
              'Image drawn again on a new GPU device',
              'The GPU returned pixels for the image that nothing drew, and reported no error. The app did not show them: it started the GPU again and drew the image anew.',
              message,
            );
          else if (recovering && heldWrong === 'watched')
            this.notices.warning(
              'Frames drawn on a new GPU device',
              'The GPU lost pixels the app had just drawn, and reported no error. The app started the GPU again and went on from the same frame; frames shown in the quarter second before may have looked wrong.',
              message,
            );
          else if (recovering && !ownReset)
            this.notices.warning(
              'GPU device lost',
              `The GPU stopped working for this page; the app is starting it again and will go on where it was.${during}`,
              message,
            );
        },
        error: (message) => this.#onGpuError(message),
        status: (status, problem) => {
          this.gpuStatus = status;
          this.gpuProblem = problem;
          if (status === 'ready') {
            this.deviceGeneration = this.session.device.generation;
            this.recovery.deviceReady(this.deviceGeneration);
          }
        },
        frame: (stats, request) => this.#framePresented(stats, request),
      },
    );
    this.workers = Math.max(1, options.workers);
    this.#cpu = new CpuPool(this.workers);
    this.scopes = new ScopesState(this.#cpu, options.storage);
    this.shaderTrust = new ShaderTrust(options.storage);
    this.customGuard = new CustomGuard({
      timers: HOST_TIMERS,
      trust: this.shaderTrust,
      stopped: (ids, hung) => this.#customStopped(ids, hung),
      resetGpu: () => this.session.device.lose(),
    });
    this.customEditor = new CustomEditorState({
      trust: this.shaderTrust,
      chain: () => this.history.chain,
      edit: (fn, gesture) => this.edit(fn, gesture),
      endGesture: () => this.history.endGesture(),
      device: () => this.session.engine?.gpu.device ?? null,
      redraw: () => this.requestRender(),
    });
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const app = this;
    this.perf = new PerfState({
      get placement() {
        return app.scheduling.mode;
      },
      get workload() {
        return app.workload;
      },
      get lastTargets() {
        // A snapshot each time it is read, not state.
        // eslint-disable-next-line svelte/prefer-svelte-reactivity
        return new Map(app.lastFrame?.ran.map((r) => [r.stage, r.target]) ?? []);
      },
      placer: (strategy) => this.scheduling.scheduler(strategy),
      get dropped() {
        return app.video.dropped + app.camera.dropped;
      },
      queueDepth: () => ({
        gpu: this.session.engine?.framesOnGpu ?? 0,
        cpu: this.#cpu.pool.queued + this.#cpu.pool.busy,
      }),
    });
    this.env = {
      lut: (id) => this.luts.get(id),
      image: (id) => this.backgroundImages.get(id),
      redraw: () => this.requestRender(),
      blocked: (id) => this.customGuard.blocked(id),
    };
    ({
      video: this.video,
      camera: this.camera,
      scene: this.scene,
    } = createFrameSources({
      session: this.session,
      notices: this.notices,
      shown: (shown) => {
        if (shown) this.view.fit();
        const previous = this.image;
        this.image = shown ? { ...shown, bitmap: null } : null;
        previous?.bitmap?.close();
      },
      setFrameIndex: (index) => (this.#frameIndex = index),
    }));
    this.endpoint = new EndpointState(options.storage, (client, health) => {
      this.ai.setEndpoint(client, health);
      this.recovery.endpointHealth(health);
      this.scheduling.setEndpointLocal(isLocalEndpoint(client.settings.url));
    });
    this.scheduling = new SchedulingState(
      options.storage,
      () => this.ai.runner.targets,
      isLocalEndpoint(this.endpoint.settings.url),
      (render) => this.#applyPlacement(render),
    );
    this.files = new Files(this);
    this.exporter = new ExportState({
      notices: this.notices,
      busy: this.busy,
      video: this.video,
      device: this.session.device,
      get chain() {
        return app.chain;
      },
      get engine() {
        return app.engine;
      },
      get imageName() {
        return app.image?.name ?? null;
      },
      inFlight: (...args) => this.scheduling.exportInFlight(...args),
      createEngine: (gpu, inFlight) => this.#createEngine(gpu, inFlight),
      mlReady: () => this.ai.onGpu,
      stillImage: (chain) => this.session.renderImage(chain, { index: 0 }, () => this.ai.onGpu),
    });
  }

  // ---- the chain (its undo history: `history`) ---------------------------------------------

  get chain(): Chain {
    return this.history.chain;
  }

  /** Applies an edit as one undo step; edits sharing a `gesture` key merge into one. */
  edit(fn: (chain: Chain) => Chain, gesture?: string): void {
    this.history.edit(fn, gesture);
  }

  // ---- GPU lifecycle ------------------------------------------------------------------------

  start(): Promise<void> {
    // Whether the endpoint answers is known from the start ("npm start" runs one), not only once
    // an AI effect is added.
    void this.endpoint.check();
    return this.session.device.start();
  }

  /** An engine on `gpu`: stages placed as the app says, failures told once. */
  #createEngine(gpu: GpuContext, inFlight?: number): Engine {
    const engine = new Engine(gpu, this.env, this.#cpu);
    engine.ml = this.ai.runner;
    engine.placer = this.scheduling.placer;
    engine.onStageFailure = stageFailureNotices(this.notices, this.#recentErrors);
    if (inFlight !== undefined) engine.inFlightLimit = () => inFlight;
    else if (this.#options.uploadPath) engine.forceUploadPath(this.#options.uploadPath);
    return engine;
  }

  #onGpuError(message: string): void {
    // A broken kernel would report the same error every frame: show each message once.
    if (this.#recentErrors.has(message)) return;
    this.#recentErrors.add(message);
    this.notices.error(
      'GPU error',
      'The GPU reported an error; the app carried on. If the picture looks wrong, reload the page.',
      message,
    );
  }

  /** Simulates losing the device (test hook; also a way to reset a wedged GPU). */
  loseDevice(): void {
    this.session.device.lose();
  }

  get gpu(): GpuContext | null {
    return this.session.device.gpu;
  }

  /** Resizes the CPU pool (1–32 workers) and remembers the choice. */
  setWorkers(count: number): void {
    const n = Math.min(32, Math.max(1, Math.round(count)));
    if (!Number.isFinite(n)) return;
    this.workers = n;
    this.#cpu.resize(n);
    remember(this.#options.storage, WORKERS_KEY, String(n));
    this.requestRender();
  }

  /** The enabled stages of the chain and the source's pixel count (null: no source yet). */
  get workload(): { stages: readonly StageSpec[]; pixels: number } | null {
    const size = this.session.engine?.sourceSize;
    if (!size) return null;
    const stages = this.history.chain.stages.filter((s) => s.enabled);
    return { stages, pixels: size[0] * size[1] };
  }

  #applyPlacement(render: boolean): void {
    const engine = this.session.engine;
    if (engine) engine.placer = this.scheduling.placer;
    if (render) this.requestRender();
  }

  get cpu(): CpuPool {
    return this.#cpu;
  }

  get engine(): Engine | null {
    return this.session.engine;
  }

  get canvas(): HTMLCanvasElement | null {
    return this.#canvas;
  }

  attachCanvas(canvas: HTMLCanvasElement): void {
    this.#canvas = canvas;
    this.session.attachOutput({
      size: () => [canvas.width, canvas.height],
      // The test build reads frames back from the canvas's own texture (see src/testing).
      presenter: (gpu) =>
        new Presenter(gpu, canvas, { readable: import.meta.env.MODE === 'testing' }),
    });
  }

  detachCanvas(): void {
    this.session.detachOutput();
    this.#canvas = null;
  }

  // ---- rendering (frames are the session's) -------------------------------------------------

  requestRender(): void {
    this.session.request();
  }

  /** What the next frame draws on a canvas of `size`: nothing without a source. */
  #frameRequest(size: readonly [number, number]): FrameRequest | null {
    if (!this.image) return null;
    const key = { source: this.image, index: this.#frameIndex };
    return {
      chain: this.history.chain,
      index: this.#frameIndex,
      view: this.view.transform([size[0], size[1]], [this.image.width, this.image.height]),
      previews: {
        result: this.scopes.visible ? SCOPE_PREVIEW_WIDTH : 0,
        source: this.histogram.widthFor(this.history.chain, key, this.streaming, performance.now()),
      },
      live: this.streaming,
      tag: key,
    };
  }

  /** Whether frames come from a stream now: a video playing, the camera, the 3D scene running. */
  get streaming(): boolean {
    return (
      this.video.playing || this.camera.camera !== null || (this.scene.active && this.scene.playing)
    );
  }

  #framePresented(stats: FrameStats, request: FrameRequest): void {
    const live = request.live === true;
    this.lastFrame = stats;
    this.recovery.framePresented(stats);
    stats.timing.then(
      (t) => this.perf.record(t, live),
      () => {},
    );
    if (stats.preview) this.scopes.submit(stats.preview);
    this.customGuard.watch(
      stats.ran.flatMap((r) => r.code ?? []),
      stats.timing,
    );
    if (stats.sourcePreview)
      this.histogram.submit(request.tag as SourceFrame, stats.sourcePreview, performance.now());
    this.ai.refreshStats();
  }

  #customStopped(ids: readonly string[], hung: boolean): void {
    const names = ids.map((id) => `“${findCustomEffect(id)?.definition.name ?? id}”`).join(', ');
    if (hung)
      this.notices.error(
        `${names} stopped the GPU`,
        'Its frame did not finish, so the app gave up the GPU device and is starting a new one; it goes on without that effect. Edit its code to run it again.',
      );
    else
      this.notices.warning(
        `${names} was stopped`,
        `It took over ${seconds(this.customGuard.budgetMs)} on one frame; the picture shows without it so the app stays responsive. Edit its code to run it again.`,
      );
    this.requestRender();
  }

  /** Makes `bitmap` (uploaded already) the source, in place of any video, camera or scene. */
  async showImage(name: string, bitmap: ImageBitmap): Promise<void> {
    const previous = this.image;
    await this.session.sources.take(this.#imageSource);
    this.image = { name, bitmap, width: bitmap.width, height: bitmap.height };
    previous?.bitmap?.close();
    this.view.fit();
    this.requestRender();
  }

  lutAdded(): void {
    this.lutVersion++;
  }

  dispose(): void {
    this.#stopRestarts();
    this.session.dispose();
    this.#cpu.destroy();
    void this.ai.runner.destroy();
    this.endpoint.dispose();
    void this.video.remove();
    this.camera.stop();
  }
}
