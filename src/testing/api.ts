import { registerCustomEffect } from '../effects/custom/registry';
import { CUSTOM_TEMPLATE } from '../effects/custom/template';
import { buildCustomKernel } from '../effects/gpu/custom';
import {
  EFFECTS,
  defaultParams,
  findEffect,
  findEntry,
  type ParamValues,
  chainFromStages,
  parseChain,
  serializeChain,
  createImage,
  type RgbaImage,
} from '../effects';
import * as Comlink from 'comlink';
import { CpuPool, WorkerPool, createCpuWorker } from '../cpu';
import { Engine, diffImages, pinnedPlacer, runChainOnCpu } from '../engine';
import type { AppState } from '../app/state/app.svelte';
import type { CompareState } from '../app/state/compare.svelte';
import { mlOpsParity } from './ml-ops';
import { sceneParity, type SceneParityRequest } from './scene';
import { FULL_SIZE, SMALL_SIZE, type ScenarioId, type ScenarioSize } from '../perf/scenarios';
import { toMarkdown, type CompareTable } from '../perf/report';
import type { Strategy } from '../scheduler';
import { STRATEGIES } from '../core';
import { availability, fetchModel, ortTensors, type MlTarget } from '../ml/runtime/ort';
import { fetchManifest, loadModel, loadOnnx } from '../ml/runtime/load';
import {
  loseOrtWebGpuDevice,
  ortWorkerSessions,
  retiringOrtWorkers,
} from '../ml/runtime/ort-worker';
import { loseTfjsDevice, tfjsWorkerMemory } from '../ml/runtime/tfjs';
import { computeScopes } from '../scopes/compute';
import { liveFrames } from '../media/video/frames';
import { audioContexts } from '../media/video/audio';
import type { FrameUploadPath } from '../gpu/upload-frame';
import type { DecoderPreference } from '../media/video/open-video';
import { benchClip } from './video-bench';
import { benchLutCube, effectBenchCases, timeChain } from '../perf/effect-bench';
import { packLut } from '../effects/lut/lut';
import { parseCube } from '../effects/lut/cube';
import { overlappedRoundTrips } from './round-trips';
import { makeClip } from '../media/video/make-clip';
import { blankOf, exportBlankFrames } from './export-faults';
import { resizeArea } from '../ml';
import { bitmapPixels } from '../gpu/upload';
import { readDrawn } from './canvas-readback';
import { holdFirstCpuStage } from './hold-cpu';
import { LongTasks } from './long-tasks';

/**
 * A typed test API on `window.__triad`, used by the Playwright specs and the benchmark scripts.
 * It drives the same code paths as the UI; it adds no behaviour the app does not have.
 */
export interface ParityRequest {
  imageUrl: string;
  /** Resize the image to this size first (keeps browser tests on small frames). */
  size?: [number, number];
  /** Parameters are validated like any untrusted chain. */
  stages: { effect: string; target?: string; params?: Record<string, unknown>; code?: string }[];
  frame?: number;
}

export interface ParityResult {
  width: number;
  height: number;
  maxDiff: number;
  over: number;
  tolerance: number;
  firstOver: { x: number; y: number; a: number[]; b: number[] } | null;
  /** Uncaptured GPU errors raised while this ran. */
  gpuErrors: number;
}

/** What else was true when a canvas was compared with its CPU reference (read on a mismatch). */
export interface CanvasDiagnosis {
  /** The source read back as zeros (the reference was made from nothing). */
  sourceAllZero: boolean;
  /** Source pixels that differ when it is read back a second time. */
  sourceReadAgainDiffers: number;
  /** Source pixels that differ from the image decoded on the CPU (null: not a still image). */
  sourceDiffersFromFile: number | null;
  canvasAllZero: boolean;
  /** A new device (or engine) came between the frame and the source's readback. */
  deviceChanged: boolean;
  engineChanged: boolean;
  lost: boolean;
  /** GPU errors raised while it ran, counted once the queue was idle. */
  errorsMeanwhile: number;
}

/** Pixels (RGBA) that differ by more than 2 in a channel. */
function differing(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 4; c++) {
      if (Math.abs(a[i + c] - b[i + c]) > 2) {
        n++;
        break;
      }
    }
  }
  return n;
}

/** Decodes an image URL into CPU pixels (optionally resized). */
async function imageFromUrl(url: string, size?: [number, number]): Promise<RgbaImage> {
  const bitmap = await bitmapFromUrl(url, size);
  try {
    return bitmapPixels(bitmap);
  } finally {
    bitmap.close();
  }
}

async function bitmapFromUrl(url: string, size?: [number, number]): Promise<ImageBitmap> {
  const blob = await (await fetch(url)).blob();
  const options: ImageBitmapOptions = { premultiplyAlpha: 'none' };
  if (size)
    Object.assign(options, { resizeWidth: size[0], resizeHeight: size[1], resizeQuality: 'high' });
  return createImageBitmap(blob, options);
}

const watchedDevices: WeakRef<GPUDevice>[] = [];

export function createTestApi(app: AppState, compare: CompareState) {
  // From before the app starts: opening the first file is measured too.
  const longTasks = new LongTasks();
  const engine = () => {
    if (!app.engine) throw new Error(`GPU not ready (${app.gpuStatus})`);
    return app.engine;
  };
  /** In the task that drew a frame: the canvas's pixels for it (read back from its texture). */
  const readFrame = (): Promise<Uint8ClampedArray> => {
    const [gpu, presenter] = [app.gpu, app.session.presenter];
    if (!gpu || !presenter) throw new Error(`no frame was drawn (GPU ${app.gpuStatus})`);
    return readDrawn(gpu, presenter);
  };

  return {
    /** Building blocks for in-page tests of the worker pool. */
    lib: {
      WorkerPool,
      CpuPool,
      createCpuWorker,
      transfer: Comlink.transfer,
      computeScopes,
      resizeArea,
      imageFromUrl,
      createImage,
      runChainOnCpu,
    },
    cpuStats: () => ({ workers: app.cpu.size, ...app.cpu.pool.stats }),
    /** The page's clock (performance.now()), to mark the start of a span for `longTasks`. */
    now: () => performance.now(),
    /** Main-thread tasks over 50 ms that started since `fromMs` (see `now`). */
    longTasks: (fromMs: number) => ({
      supported: longTasks.supported,
      ...longTasks.between(fromMs),
    }),
    /** Every notice of the session (faded and dismissed ones too): kind, title, message. */
    noticeLog: () =>
      app.notices.log.map(({ kind, title, message, count }) => ({ kind, title, message, count })),
    /** The current chain's full-resolution result (small images only: it crosses as JSON). */
    async renderResult() {
      const img = await app.session.renderImage(app.chain, { index: 0 }, () => app.ai.onGpu);
      return { width: img.width, height: img.height, data: Array.from(img.data) };
    },
    mlModelsLoaded: () => app.ai.runner.loaded,
    /** The video source: what is open, where playback is, and the live decoded frames. */
    videoState() {
      const v = app.video;
      const uploader = app.engine?.frameUploader;
      return {
        info: v.info,
        decoder: v.file?.decoder ?? null,
        decodeThread: v.file?.thread ?? null,
        workerRestarts: v.file?.workerRestarts ?? 0,
        audio: v.audio,
        opened: v.opened,
        exportInFlight: app.exporter.inFlight,
        exportRecommended: app.exporter.recommended,
        exportPeakRunning: app.exporter.peakRunning,
        exportMismatches: app.exporter.mismatches,
        time: v.time,
        frameIndex: v.frameIndex,
        playing: v.playing,
        decoded: v.decoded,
        shown: v.shown,
        dropped: v.dropped,
        dropReasons: v.dropReasons,
        liveFrames: liveFrames.count,
        closedTwice: liveFrames.closedTwice,
        audioContexts: audioContexts.made,
        uploadPath: uploader?.path ?? null,
        uploadFailures: Object.fromEntries(uploader?.failures ?? []),
      };
    },
    /** Decodes the open video from the start (in order) and returns each frame's timestamp. */
    async videoTimestamps() {
      const file = app.video.file;
      if (!file) throw new Error('no video');
      const out: number[] = [];
      for await (const frame of file.frames(0)) {
        out.push(frame.timestamp);
        frame.close();
      }
      return out;
    },
    /** The `index`-th frame as RGBA, decoded in order (a path apart from seeking). */
    async videoFramePixels(index: number) {
      const file = app.video.file;
      if (!file) throw new Error('no video');
      let i = 0;
      for await (const frame of file.frames(0)) {
        if (i++ < index) {
          frame.close();
          continue;
        }
        try {
          const { width, height } = frame.frame.visibleRect!;
          const data = new Uint8Array(width * height * 4);
          await frame.frame.copyTo(data, { format: 'RGBA', rect: frame.frame.visibleRect! });
          return { width, height, data: Array.from(data), timestamp: frame.timestamp };
        } finally {
          frame.close();
        }
      }
      throw new Error(`the video has no frame ${index}`);
    },
    /**
     * Every frame of the open video, box-filtered down to `width` px wide (RGBA): a whole clip's
     * pictures, small enough to compare frame by frame (a wrong frame anywhere, not only one).
     */
    async videoThumbnails(width: number) {
      const file = app.video.file;
      if (!file) throw new Error('no video');
      const out: { width: number; height: number; data: number[] }[] = [];
      for await (const frame of file.frames(0)) {
        try {
          const rect = frame.frame.visibleRect!;
          const full = new Uint8Array(rect.width * rect.height * 4);
          await frame.frame.copyTo(full, { format: 'RGBA', rect });
          const k = Math.max(1, Math.floor(rect.width / width));
          const [w, h] = [Math.floor(rect.width / k), Math.floor(rect.height / k)];
          const data = new Array<number>(w * h * 4).fill(0);
          for (let y = 0; y < h * k; y++)
            for (let x = 0; x < w * k; x++)
              for (let c = 0; c < 4; c++)
                data[(Math.floor(y / k) * w + Math.floor(x / k)) * 4 + c] +=
                  full[(y * rect.width + x) * 4 + c] / (k * k);
          out.push({ width: w, height: h, data: data.map(Math.round) });
        } finally {
          frame.close();
        }
      }
      return out;
    },
    videoSeek: (time: number) => app.video.seek(time),
    /**
     * Fault injection for the next exports: after frame `index`'s upload its engine's source is
     * made black (as Chromium's GL backend does to a texture now and then, with no error) — the
     * first `times` times that frame is rendered.
     */
    blackSourceInExport(index: number, times: number) {
      let left = times;
      app.exporter.afterUpload = (engine, i) => {
        if (i !== index || left <= 0) return;
        left--;
        const source = engine.frameSourceSize;
        if (source) engine.setSource(createImage(source.width, source.height));
      };
    },
    /**
     * Exports the open video through a chain whose frame `stuckAt` never finishes (as after a
     * decoder or GPU process that stops answering), with a stall limit of `stallSeconds`: how it
     * ended and after how long.
     */
    exportThatStalls(stuckAt: number, stallSeconds: number) {
      return exportBlankFrames(app, { stallSeconds }, (frame, index) =>
        index < stuckAt ? Promise.resolve(blankOf(frame)) : new Promise<never>(() => {}),
      );
    },
    /**
     * Exports the open video with `inFlight` frames at once, frame `failAt` failing (late, as a
     * frame rendered again on a new device does) with "frame N broke": the error it ended with.
     */
    async exportThatFails(failAt: number, inFlight: number) {
      const ended = await exportBlankFrames(
        app,
        { inFlight },
        (frame, index) =>
          new Promise((resolve, reject) =>
            index === failAt
              ? setTimeout(() => reject(new Error(`frame ${index + 1} broke`)), 400)
              : setTimeout(() => resolve(blankOf(frame)), 5),
          ),
      );
      return ended.error;
    },
    /** Decode the next videos with a <video> element (the fallback) or the best available. */
    videoDecoder(preference: DecoderPreference) {
      app.video.decoderPreference = preference;
    },
    videoStep: (delta: number) => app.video.step(delta),
    /** Plays the video (looping) at its own pace, as the play button does. */
    videoPlay() {
      app.video.loop = true;
      app.video.play();
    },
    videoPause: () => app.video.pause(),
    /** Plays until `frames` more frames were shown (every-frame mode, looping), then pauses. */
    async videoPlayFrames(frames: number) {
      const v = app.video;
      v.everyFrame = true;
      v.loop = true;
      const target = v.shown + frames;
      liveFrames.peak = liveFrames.count;
      v.play();
      while (v.shown < target && v.playing) await new Promise((r) => setTimeout(r, 20));
      await v.pause();
      return { shown: v.shown, peakLive: liveFrames.peak };
    },
    cameraState() {
      const c = app.camera;
      return {
        on: c.camera !== null,
        label: c.camera?.label ?? null,
        size: c.camera ? [c.camera.width, c.camera.height] : null,
        devices: c.devices.length,
        shown: c.shown,
        dropped: c.dropped,
        liveFrames: liveFrames.count,
        peakLive: liveFrames.peak,
      };
    },
    /** bench:video: encodes a synthetic clip per size and measures decode, upload, chain, export. */
    async videoBench(request: {
      sizes: [number, number][];
      frames: number;
      photoUrl: string;
      stages: ParityRequest['stages'];
    }) {
      const photo = await bitmapFromUrl(request.photoUrl);
      const results = [];
      for (const [width, height] of request.sizes) {
        const clip = await makeClip(photo, width, height, request.frames);
        results.push(await benchClip(app, clip, chainFromStages(request.stages)));
      }
      photo.close();
      return results;
    },
    forceUploadPath(path: FrameUploadPath | null) {
      engine().forceUploadPath(path);
    },
    async mlMemory() {
      await app.session.idle(); // between frames: nothing of a frame in flight is counted
      const counters = app.gpu?.counters;
      const tfjs = await tfjsWorkerMemory();
      return {
        ortTensors: ortTensors.live,
        tfjsTensors: tfjs.tensors,
        // Models loaded in the runtimes' workers (onnxruntime's sessions, tfjs's models).
        workerSessions: (await ortWorkerSessions()) + tfjs.models,
        // Restarted onnxruntime workers not yet terminated (see `restartOrtWorker`).
        retiringWorkers: retiringOrtWorkers(),
        models: app.ai.runner.loaded,
        deviceBuffers: counters?.deviceBuffers ?? 0,
        liveBuffers: counters?.liveBuffers ?? 0,
        liveTextures: counters?.liveTextures ?? 0,
        errors: counters?.errors ?? 0,
      };
    },
    /** Times an AI effect's CPU path (CPU pre/post-processing) on an image (benchmarks). */
    async mlBenchCpu(request: {
      effect: string;
      target: MlTarget;
      imageUrl: string;
      size: [number, number];
      warmup: number;
      frames: number;
    }) {
      const image = await imageFromUrl(request.imageUrl, request.size);
      const entry = findEntry(request.effect);
      if (!entry) throw new Error(`no effect ${request.effect}`);
      const params = defaultParams(entry.params) as ParamValues;
      const run = () =>
        app.ai.runner.runOnCpu(request.effect, request.target, image, params, app.env);
      for (let i = 0; i < request.warmup; i++) await run();
      const ms: number[] = [];
      for (let i = 0; i < request.frames; i++) {
        const t0 = performance.now();
        await run();
        ms.push(performance.now() - t0);
      }
      return { ms };
    },
    /** Runs an AI effect's CPU path (CPU pre/post-processing) on the source pixels. */
    async mlRunOnCpu(effect: string, target: MlTarget, params: Record<string, unknown> = {}) {
      const source = await engine().readSource();
      const entry = findEntry(effect);
      if (!entry) throw new Error(`no effect ${effect}`);
      const values = { ...defaultParams(entry.params), ...params } as ParamValues;
      const img = await app.ai.runner.runOnCpu(effect, target, source, values, app.env);
      return { width: img.width, height: img.height, data: Array.from(img.data) };
    },
    /** Loads a model file on a target and reports the error, if any (bad-input tests). */
    async mlLoad(url: string, target: MlTarget): Promise<string | null> {
      try {
        const bytes = await fetchModel(url);
        const model = await loadOnnx(bytes, target, app.gpu);
        await model.release();
        return null;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
    /** Whether each ML target can run here, and why not. */
    async mlAvailability() {
      const targets = ['ort-webgpu', 'ort-wasm', 'ort-webnn', 'tfjs-webgpu'] as const;
      return Object.fromEntries(
        await Promise.all(targets.map(async (t) => [t, await availability(t, app.gpu)])),
      );
    },
    /**
     * Runs a model from public/models on a target, on an image scaled to the model's input and
     * normalized as its manifest says; returns the raw output for comparison with a reference.
     */
    async mlRun(request: {
      model: string;
      target: MlTarget;
      imageUrl: string;
      size: [number, number];
      scale: number;
      /** Steady-state runs after the first (default 1). */
      runs?: number;
      /** Leave the tensors out of the answer (benchmarks). */
      timesOnly?: boolean;
    }) {
      const entry = (await fetchManifest(import.meta.env.BASE_URL)).find(
        (m) => m.id === request.model,
      );
      if (!entry) throw new Error(`no model ${request.model}`);
      const image = await imageFromUrl(request.imageUrl, request.size);
      const input = new Float32Array(image.width * image.height * 3);
      for (let i = 0; i < image.width * image.height; i++)
        for (let c = 0; c < 3; c++) input[i * 3 + c] = image.data[i * 4 + c] * request.scale;
      const model = await loadModel(entry, request.target, app.gpu, import.meta.env.BASE_URL);
      try {
        const feed = { data: input, dims: [1, image.height, image.width, 3] };
        const out = await model.run(feed);
        const steadyMs: number[] = [];
        for (let i = 0; i < (request.runs ?? 1); i++) {
          const t0 = performance.now();
          await model.run(feed);
          steadyMs.push(performance.now() - t0);
        }
        return {
          input: request.timesOnly ? [] : Array.from(input),
          output: request.timesOnly ? [] : Array.from(out.data),
          dims: out.dims,
          firstRunMs: model.firstRunMs,
          steadyMs,
        };
      } finally {
        await model.release();
      }
    },
    /** The placement mode, and for a strategy its scheduler's plan and predictions. */
    placement() {
      const mode = app.scheduling.mode;
      if (mode === 'manual') return { mode, plan: null, predictions: null };
      const scheduler = app.scheduling.scheduler(mode).scheduler;
      return {
        mode,
        plan: scheduler.plan,
        predictions: Object.fromEntries(STRATEGIES.map((s) => [s, scheduler.predict(s)])),
      };
    },
    /**
     * ML pre/post-processing: GPU kernels against their CPU twins on an image. A device lost
     * under the check (lavapipe's GPU process lost one at a test's start in CI) is not a kernel's
     * fault: the check runs again, once, on the app's new device, and `lostUnder` says so.
     */
    async mlOpsParity(imageUrl: string) {
      const image = await imageFromUrl(imageUrl);
      for (let lostUnder = 0; ; lostUnder++) {
        const gpu = app.gpu;
        if (!gpu) throw new Error('GPU not ready');
        const before = { textures: gpu.counters.liveTextures, buffers: gpu.counters.liveBuffers };
        try {
          const results = await mlOpsParity(gpu, image);
          await gpu.device.queue.onSubmittedWorkDone();
          if (gpu.isLost) throw new Error(`the device was lost under the check`);
          const after = { textures: gpu.counters.liveTextures, buffers: gpu.counters.liveBuffers };
          return {
            results,
            leaked: {
              textures: after.textures - before.textures,
              buffers: after.buffers - before.buffers,
            },
            errors: gpu.counters.errors,
            lostUnder,
          };
        } catch (error) {
          const again =
            lostUnder === 0 && (await gpu.lostUnder()) && (await app.session.device.whenReady(gpu));
          if (!again) throw error;
        }
      }
    },
    /**
     * The engine's own frame timings (the last `window`) and the player's counters: what the
     * performance panel's numbers must equal.
     */
    engineFrames(window = app.perf.meter.window) {
      const timings = app.engine?.timings.slice(-window) ?? [];
      return {
        timings: timings.map((t) => ({ ...t })),
        shown: app.video.shown,
        dropped: app.video.dropped + app.camera.dropped,
        placement: app.scheduling.mode,
      };
    },
    /** The panel's own figures, unrounded. */
    perfState() {
      const p = app.perf;
      return {
        live: p.live,
        fps: p.fps,
        frameMs: p.frameMs,
        frames: p.frames,
        utilization: p.utilization,
        /** Frames the meter has taken in (the panel shows them at its next update). */
        recorded: p.meter.frames,
        dropped: p.dropped,
        window: p.meter.samples.length,
        measured: p.measured,
        predicted: p.predicted,
        stageTimes: p.stageTimes,
        changes: p.changes,
        timelinePoints: p.timeline.length,
      };
    },
    /**
     * Runs a built-in scenario under every strategy ('small': tiny frames, few of them), in
     * `order` (default: the UI's).
     */
    async runScenario(
      id: ScenarioId,
      size: 'small' | 'full' | ScenarioSize = 'small',
      order?: Strategy[],
    ) {
      const chosen = size === 'small' ? SMALL_SIZE : size === 'full' ? FULL_SIZE : size;
      const row = await compare.runScenario(id, chosen, order);
      return { row, table: compare.table };
    },
    setFramesInFlight: (frames: number) => app.scheduling.setFramesInFlight(frames),
    /** Sets compare mode's frame counts (the UI's inputs). */
    compareFrames(frames: number, warmup: number) {
      compare.frames = frames;
      compare.warmup = warmup;
    },
    compareTable: () => compare.table,
    /** Compare mode's progress (0–1) while it runs, null otherwise. */
    compareProgress: () => compare.progress,
    /** What a strategy's planner recommends for frames in flight (up to `max`). */
    recommendInFlight: (strategy: Strategy, max = 4) =>
      app.scheduling.scheduler(strategy).scheduler.recommendInFlight(max),
    /** Every strategy's scheduler forgets what its plans' frames ran at (the bench's page warm-up). */
    forgetPlanTimings() {
      for (const s of STRATEGIES) app.scheduling.scheduler(s).scheduler.forgetPlanTimings();
    },
    /** A strategy's scheduler: its plan, whether it still calibrates, and its log. */
    schedulerState(strategy: Strategy) {
      const s = app.scheduling.scheduler(strategy).scheduler;
      return {
        plan: s.plan,
        calibrating: s.calibrating,
        settling: s.settling,
        changes: s.changes,
        offPlan: { ...s.offPlan },
        verified: { ...s.verified },
        replanTimes: [...s.replanTimes],
        frameMs: s.frameMs,
      };
    },
    compareMarkdown: () => compare.exports()?.markdown ?? null,
    /** A table (e.g. rows gathered from several pages) as compare mode writes it in Markdown. */
    markdownOf: (table: CompareTable) => toMarkdown(table),
    /** The 3D scene as the source, at a size. */
    startScene(width: number, height: number) {
      app.scene.setSize(width, height);
      app.scene.start();
    },
    sceneState: () => ({
      active: app.scene.active,
      shown: app.scene.shown,
      time: app.scene.time,
      camera: app.scene.camera,
      size: [app.scene.width, app.scene.height],
      lastHold: app.scene.lastHold ? { ...app.scene.lastHold } : null,
    }),
    /** The SDF scene kernel against its CPU twin (e2e/scene.spec.ts). */
    async sceneParity(request: SceneParityRequest) {
      if (!app.gpu) throw new Error('GPU not ready');
      return sceneParity(app.gpu, request);
    },
    scopes() {
      const data = app.scopes.data;
      return {
        visible: app.scopes.visible,
        updates: app.scopes.updates,
        error: app.scopes.error,
        pixels: data?.pixels ?? 0,
        histogram: data ? Array.from(data.histogram) : [],
      };
    },
    /** Resolves once the GPU is ready or known to be unavailable. */
    async ready(): Promise<string> {
      while (app.gpuStatus === 'starting' || app.gpuStatus === 'recovering') {
        await new Promise((r) => setTimeout(r, 20));
      }
      return app.gpuStatus;
    },
    state() {
      return {
        gpuStatus: app.gpuStatus,
        adapter: app.adapter,
        deviceGeneration: app.deviceGeneration,
        /** Long work's progress (0–1), null when none runs. */
        progress: app.busy.progress,
        uploadPath: app.engine?.uploadPath ?? null,
        image: app.image
          ? { name: app.image.name, width: app.image.width, height: app.image.height }
          : null,
        chain: JSON.parse(serializeChain(app.chain)),
        effects: EFFECTS.map((e) => e.id),
        lastFrame: app.lastFrame,
      };
    },
    counters() {
      const gpu = app.gpu;
      if (!gpu) return null;
      return {
        ...gpu.counters,
        live: Object.fromEntries(gpu.liveByLabel),
        poolFree: app.engine?.pool.freeCount ?? 0,
        poolInUse: app.engine?.pool.inUseCount ?? 0,
      };
    },
    loseDevice: () => app.loseDevice(),
    /**
     * Fault injection: writes zeros over the still image's texture in place, as Chromium's GL
     * backend does now and then with no error; `guard` turns the engine's check of still sources
     * on first (it is on by default only on a compatibility-mode adapter) and re-uploads.
     */
    blackOutStill(guard = false) {
      const current = engine();
      if (guard && !current.guardsMemory) {
        current.guardsMemory = true;
        if (app.image?.bitmap) current.setSource(app.image.bitmap);
      }
      current.blackOutSource();
      return { guards: current.guardsMemory };
    },
    /**
     * Turns the engine's checks of the GPU's memory on or off (on by default only on a
     * compatibility-mode adapter; a new device's engine has the default again): experiments on
     * the GL backend's corruption compare the two.
     */
    guardMemory(on: boolean) {
      engine().guardsMemory = on;
    },
    /**
     * Fault injection: writes zeros over the canary the engine watches beside a video's (camera's,
     * scene's) frames, as the GL backend does to a texture now and then with no error; `guard`
     * turns the engine's memory checks on first (on by default only on a compatibility-mode
     * adapter).
     */
    blackOutFrames(guard = false) {
      const current = engine();
      if (guard) current.guardsMemory = true;
      current.blackOutCanary();
      return { guards: current.guardsMemory };
    },
    /**
     * The known trigger of the GL backend's corruption, on purpose: renders a frame and, in the
     * same task, draws the WebGPU canvas into a 2D canvas (see `readDrawn`) — `times` times.
     */
    async copyCanvasTo2d(times: number) {
      const canvas = app.canvas;
      if (!canvas) throw new Error('no canvas');
      const copy = new OffscreenCanvas(canvas.width, canvas.height).getContext('2d')!;
      for (let i = 0; i < times; i++)
        await app.session.renderAlone(() => copy.drawImage(canvas, 0, 0));
    },
    /** Loses ort-webgpu's own device (in its worker), not the app's. */
    loseOrtWebGpuDevice,
    loseTfjsDevice,
    /** The recovery log: what was lost and what came back, with how long it was out (ms). */
    recoveryLog: () => app.recovery.events,
    /**
     * Watches the current GPU device (before a loss): `deviceCollected` then says whether the
     * page still holds it (a buffer, texture or pipeline of it holds it: each refers to its
     * device). The test forces a garbage collection first.
     */
    watchDevice(): number {
      const device = app.gpu?.device;
      if (!device) throw new Error('no GPU device to watch');
      return watchedDevices.push(new WeakRef(device)) - 1;
    },
    deviceCollected: (id: number) => watchedDevices[id].deref() === undefined,
    /**
     * Fault injection: a CPU worker throws outside any call (it "crashes"); the pool replaces it.
     * Resolves once the pool has seen it (the injected task itself fails).
     */
    async crashCpuWorker() {
      await app.cpu.pool.run((remote) => remote.crash()).catch(() => {});
    },
    /** Fault injection: the open video's decoding worker dies (an uncaught error in it). */
    crashVideoWorker() {
      const file = app.video.file;
      if (!file) throw new Error('no video');
      file.crashWorker();
    },
    /** Fault injection: shuts the CPU workers down, so CPU stages fail until the pool is resized. */
    breakCpuPool: () => app.cpu.pool.destroy(),
    /** The source pixels as uploaded (small images only: they cross to the test as JSON). */
    async sourcePixels() {
      const img = await engine().readSource();
      return { width: img.width, height: img.height, data: Array.from(img.data) };
    },
    /** The source "New effect…" starts from (benchmarks time it). */
    customTemplate: () => CUSTOM_TEMPLATE,
    /** The custom effects with a frame on the GPU now (ids). */
    customRunning: () => app.customGuard.suspects(),
    /** The custom-effect watchdog's limits (ms): tests make them short. */
    setCustomWatchdog(budgetMs: number, hangMs: number) {
      app.customGuard.budgetMs = budgetMs;
      app.customGuard.hangMs = hangMs;
    },
    setChain(json: string) {
      app.history.replace(parseChain(json).chain);
    },
    /** Opens bytes as if the user dropped a file with this name. */
    async openFile(name: string, bytes: number[] | Uint8Array, type = '') {
      await app.files.openFiles([new File([new Uint8Array(bytes)], name, { type })]);
    },
    /** Replaces the source with a synthetic w×h gradient (memory tests). */
    setSyntheticImage(width: number, height: number) {
      const img = createImage(width, height);
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++)
          img.data.set([x % 256, y % 256, (x + y) % 256, 255], (y * width + x) * 4);
      engine().setSource(img);
      app.image = {
        name: `synthetic ${width}×${height}`,
        bitmap: app.image?.bitmap ?? null,
        width,
        height,
      };
    },
    /** Renders a frame alone (none other in flight): its counters are its own. */
    renderNow: () => app.session.renderAlone(),
    /** Renders a frame the way the app does (others may overlap it). */
    renderShared: () => app.session.renderNow(),
    async settle() {
      // No frame in flight or asked for (a frame's guard check reads back before it starts).
      await app.session.idle({ waiting: true });
      await app.gpu?.device.queue.onSubmittedWorkDone();
      // Resources waiting on the queue (`GpuContext.destroyWhenDone`) are gone too.
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
    /**
     * Renders a frame alone and returns the canvas's middle row as it showed that frame (read in
     * the frame's own task, before anything else may draw on the canvas).
     */
    async renderCanvasRow(): Promise<{ width: number; height: number; row: number[] }> {
      const canvas = app.canvas;
      if (!canvas) throw new Error('no canvas');
      const { width, height } = canvas;
      const pixels = await app.session.renderAlone((frame) => {
        if (!frame) throw new Error(`no frame was rendered (GPU ${app.gpuStatus})`);
        return readFrame();
      });
      const y = Math.floor(height / 2);
      return {
        width,
        height,
        row: Array.from(pixels.subarray(y * width * 4, (y + 1) * width * 4)),
      };
    },
    /**
     * Renders a frame and, in the same task (before the canvas is presented), reads it back from
     * the canvas's texture. Returns the canvas pixels compared with the CPU reference chain at the
     * current view, which must be at 100% zoom.
     */
    async compareCanvasWithCpu(): Promise<
      ParityResult & { compared: number; diagnosis: CanvasDiagnosis }
    > {
      const canvas = app.canvas;
      const image = app.image;
      if (!canvas || !image) throw new Error('no canvas or image');
      const generation = app.deviceGeneration;
      const engineBefore = app.engine;
      const errorsBefore = app.gpu?.counters.errors ?? 0;
      // Read the canvas in the same task as the frame's last submit, before it is presented and
      // before any other frame may draw on it; the reference is the chain that frame ran.
      const drawn = await app.session.renderAlone((frame) => ({
        frame,
        shown: frame ? readFrame() : null,
        chain: app.chain,
        view: app.view.transform([canvas.width, canvas.height], [image.width, image.height]),
      }));
      const { frame, chain, view } = drawn;
      if (!frame || !drawn.shown) throw new Error(`no frame was rendered (GPU ${app.gpuStatus})`);
      const shown = await drawn.shown;
      const sourceEngine = engine();
      const source = await sourceEngine.readSource();
      const expected = runChainOnCpu(chain, source, { index: 0 }, app.env);
      if (view.zoom !== 1) throw new Error('compareCanvasWithCpu needs 100% zoom');
      // What else happened meanwhile (a mismatch of every pixel was seen in CI: issue 15). GPU
      // errors are reported after the work that raised them: let them arrive before counting.
      await app.gpu?.device.queue.onSubmittedWorkDone().catch(() => {});
      await new Promise((r) => setTimeout(r, 0));
      const again = await sourceEngine.readSource();
      const decoded = image.bitmap ? bitmapPixels(image.bitmap) : null;
      const diagnosis: CanvasDiagnosis = {
        sourceAllZero: source.data.every((v) => v === 0),
        sourceReadAgainDiffers: differing(again.data, source.data),
        sourceDiffersFromFile:
          decoded && decoded.width === source.width && decoded.height === source.height
            ? differing(decoded.data, source.data)
            : null,
        canvasAllZero: shown.every((v) => v === 0),
        deviceChanged: app.deviceGeneration !== generation,
        engineChanged: sourceEngine !== engineBefore,
        lost: !!app.gpu?.isLost,
        errorsMeanwhile: (app.gpu?.counters.errors ?? 0) - errorsBefore,
      };
      const got = createImage(image.width, image.height);
      const want = createImage(image.width, image.height);
      let compared = 0;
      for (let y = 0; y < canvas.height; y++) {
        const iy = Math.floor(y + 0.5 - canvas.height / 2 + view.centre[1]);
        if (iy < 0 || iy >= image.height) continue;
        for (let x = 0; x < canvas.width; x++) {
          const ix = Math.floor(x + 0.5 - canvas.width / 2 + view.centre[0]);
          if (ix < 0 || ix >= image.width) continue;
          const c = (y * canvas.width + x) * 4;
          const p = compared++ * 4;
          got.data.set(shown.subarray(c, c + 4), p);
          want.data.set(
            expected.data.subarray((iy * image.width + ix) * 4, (iy * image.width + ix) * 4 + 4),
            p,
          );
        }
      }
      const trim = (img: RgbaImage) => ({
        width: compared,
        height: 1,
        data: img.data.slice(0, compared * 4),
      });
      const tolerance = 2;
      return {
        ...diffImages(trim(got), trim(want), tolerance),
        width: image.width,
        height: image.height,
        tolerance,
        compared,
        gpuErrors: app.gpu?.counters.errors ?? 0,
        diagnosis,
      };
    },
    /** Compares pixels (e.g. a decoded export) with the CPU reference of the current chain. */
    async compareWithCpu(image: RgbaImage): Promise<ParityResult> {
      const source = await engine().readSource();
      const expected = runChainOnCpu(app.chain, source, { index: 0 }, app.env);
      const tolerance = 2;
      return {
        width: image.width,
        height: image.height,
        tolerance,
        gpuErrors: app.gpu?.counters.errors ?? 0,
        ...diffImages(image, expected, tolerance),
      };
    },
    /** GPU output of a chain on an image vs the CPU reference, on a separate engine. */
    async parity(request: ParityRequest): Promise<ParityResult> {
      const gpu = app.gpu;
      if (!gpu) throw new Error('GPU not ready');
      const chain = chainFromStages(request.stages);
      const tolerance = Math.max(1, ...chain.stages.map((s) => findEffect(s.effect)!.tolerance));
      const bitmap = await bitmapFromUrl(request.imageUrl, request.size);
      const scratch = new Engine(gpu, app.env);
      const errors = gpu.counters.errors;
      try {
        scratch.setSource(bitmap);
        const frame = { index: request.frame ?? 0 };
        const source = await scratch.readSource();
        const actual = await scratch.renderToImage(chain, frame);
        const expected = runChainOnCpu(chain, source, frame, app.env);
        await gpu.device.queue.onSubmittedWorkDone();
        return {
          width: source.width,
          height: source.height,
          tolerance,
          gpuErrors: gpu.counters.errors - errors,
          ...diffImages(actual, expected, tolerance),
        };
      } finally {
        scratch.destroy();
        bitmap.close();
      }
    },
    /**
     * Two frames of a chain in flight at once on a scratch engine (with the CPU pool and the AI
     * runner), from two different images and frame numbers. Each result is compared with its
     * own source and frame's reference: the CPU chain (`reference: 'cpu'`), or the same chain
     * run alone on that source (`'alone'`, for AI stages). `clean`: time every frame cleanly
     * (the path that waits for an idle queue).
     */
    async overlapParity(request: {
      imageUrls: [string, string];
      size: [number, number];
      stages: ParityRequest['stages'];
      clean: boolean;
      reference: 'cpu' | 'alone';
    }) {
      const gpu = app.gpu;
      if (!gpu) throw new Error('GPU not ready');
      const chain = chainFromStages(request.stages);
      const tolerance =
        request.reference === 'alone'
          ? 0
          : Math.max(1, ...chain.stages.map((s) => findEffect(s.effect)!.tolerance));
      const bitmaps = await Promise.all(
        request.imageUrls.map((u) => bitmapFromUrl(u, request.size)),
      );
      // Frame 1's first CPU stage is held until frame 2 has started, so the two overlap however
      // fast frame 1 would run (the chain must have a CPU stage).
      const hold = holdFirstCpuStage(app.cpu);
      const scratch = new Engine(gpu, app.env, hold.cpu);
      scratch.ml = app.ai.runner;
      if (request.clean) scratch.placer = { ...pinnedPlacer, cleanTiming: () => true };
      const errors = gpu.counters.errors;
      // Video frames of one size: each is written into the same source texture, as in playback.
      const videoFrames = bitmaps.map((b) => new VideoFrame(b, { timestamp: 0 }));
      try {
        // The references first, one frame at a time.
        const expected = [];
        for (const [i, f] of videoFrames.entries()) {
          await scratch.setSourceFrame(f);
          expected.push(
            request.reference === 'alone'
              ? await scratch.renderToImage(chain, { index: 3 + i })
              : runChainOnCpu(chain, await scratch.readSource(), { index: 3 + i }, app.env),
          );
        }
        // Then both frames at once: the second source is written while the first is in flight.
        scratch.inFlightLimit = () => 2;
        scratch.peakRunning = 0;
        hold.arm();
        const frames = [];
        for (const [i, f] of videoFrames.entries()) {
          await scratch.setSourceFrame(f);
          frames.push(scratch.renderToImage(chain, { index: 3 + i }));
        }
        hold.release();
        const results = [];
        for (const [i, frame] of frames.entries())
          results.push(diffImages(await frame, expected[i], tolerance));
        await gpu.device.queue.onSubmittedWorkDone();
        return {
          tolerance,
          results,
          peakRunning: scratch.peakRunning,
          gpuErrors: gpu.counters.errors - errors,
        };
      } finally {
        hold.release();
        for (const f of videoFrames) f.close();
        scratch.destroy();
        for (const b of bitmaps) b.close();
      }
    },
    /** See `overlappedRoundTrips`: frames whose CPU round trip came back with wrong pixels. */
    overlappedRoundTrips(request: Parameters<typeof overlappedRoundTrips>[3]) {
      if (!app.gpu) throw new Error(`GPU not ready (${app.gpuStatus})`);
      return overlappedRoundTrips(app.gpu, app.env, app.cpu, request);
    },
    /**
     * Starts `frames` frames of the current source and chain as fast as the app lets them in:
     * their sequence numbers in the order they resolved and their timings were recorded (the
     * order they presented in), and the most that ran at once.
     */
    async overlapRender(frames: number) {
      app.engine!.peakRunning = app.engine!.running; // the most at once from here on
      const started = [];
      for (let i = 0; i < frames; i++) started.push((await app.session.startFrame()).done);
      const resolved: number[] = [];
      const stats = await Promise.all(
        started.map((done) =>
          done.then((s) => {
            if (s) resolved.push(s.sequence);
            return s;
          }),
        ),
      );
      await Promise.all(stats.map((s) => s?.timing));
      const engine = app.engine!;
      return {
        resolved,
        presented: engine.timings.slice(-frames).map((t) => t.sequence),
        peakRunning: engine.peakRunning,
        targets: stats.map((s) => s?.ran.map((r) => r.target) ?? null),
      };
    },
    /**
     * bench:effects' cases (src/perf/effect-bench.ts), with its LUT in the app's store: the
     * same cases `triad bench --effects` runs.
     */
    effectBenchCases() {
      const lut = packLut(parseCube(benchLutCube()), 'bench.cube');
      app.luts.add(lut);
      return effectBenchCases({ id: lut.id, name: lut.name });
    },
    /** Times a chain at a given size: per-frame ms from submit to GPU completion. */
    async bench(request: {
      imageUrl: string;
      size: [number, number];
      stages: ParityRequest['stages'];
      warmup: number;
      frames: number;
    }) {
      const gpu = app.gpu;
      if (!gpu) throw new Error('GPU not ready');
      const chain = chainFromStages(request.stages);
      // Custom effects in a benchmark: accepted, and built before the warm-up (cached on the
      // device, so their stages are ready at their first frame).
      for (const s of request.stages)
        if (s.code !== undefined) {
          app.shaderTrust.accept(registerCustomEffect(s.code).id);
          await buildCustomKernel(gpu.device, s.code);
        }
      const bitmap = await bitmapFromUrl(request.imageUrl, request.size);
      const scratch = new Engine(gpu, app.env);
      scratch.ml = app.ai.runner; // AI stages run on their pinned ML target
      try {
        scratch.setSource(bitmap);
        const timing = await timeChain(scratch, chain, request.warmup, request.frames);
        return { ...timing, uploadPath: scratch.uploadPath };
      } finally {
        scratch.destroy();
        bitmap.close();
      }
    },
  };
}

export type TestApi = ReturnType<typeof createTestApi>;
