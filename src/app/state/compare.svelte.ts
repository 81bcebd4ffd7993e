import { zipSync } from 'fflate';
import { chainFromStages } from '../../effects/chain';
import type { RgbaImage } from '../../effects/image';
import { packLut } from '../../effects/lut/lut';
import { sampleCube } from '../../effects/lut/cube';
import { APP_TARGETS, Engine, type FrameTiming } from '../../engine';
import { describeAdapter } from '../../gpu';
import { makeClip } from '../../media/video/make-clip';
import type { MlTarget } from '../../core/targets';
import { linkOf } from '../../ml/remote/link';
import { runBatch } from '../../perf/batch';
import { planBatch, type ItemTiming } from '../../perf/batch-plan';
import {
  STRATEGIES,
  STRATEGY_LABELS,
  toCsv,
  toJson,
  toMarkdown,
  type CompareCell,
  type CompareRow,
  type CompareTable,
} from '../../perf/report';
import {
  BATCH_EFFECTS,
  FULL_SIZE,
  SCENARIOS,
  preview3dStages,
  tealOrange,
  videoEditStages,
  type BatchEffect,
  type ScenarioId,
  type ScenarioSize,
} from '../../perf/scenarios';
import { MAX_IN_FLIGHT, strategyAllows, type Strategy } from '../../scheduler';
import type { AppState } from './app.svelte';
import type { SavedSource } from './saved-source';
import { imageFromFile, pngOf, sampleBitmap, sampleImages, type BatchItem } from './batch-images';

export type { BatchItem };

/** The frames a comparison runs: the same ones under every strategy. */
interface FrameFeed {
  name: string;
  /** Back to the first frame. */
  restart(): Promise<void>;
  /** Makes the next frame the engine's source. */
  next(): Promise<void>;
  close(): Promise<void>;
}

/** One image of a batch, and what the batch made of it. */

/**
 * Compare mode: runs the current source and chain (or a built-in scenario) under each strategy
 * for a fixed number of frames — the same frames each time, warm-up excluded — and keeps the
 * table (rows: scenarios, columns: strategies), which exports as CSV, JSON and Markdown.
 */
export class CompareState {
  table = $state.raw<CompareTable | null>(null);
  /** What is running now ("Video edit + render: Auto, frame 12/30"), or null. */
  running = $state<string | null>(null);
  progress = $state<number | null>(null);
  /** The last batch's results (PNG files for the zip), by item name. */
  batchOutputs = $state.raw<BatchItem[]>([]);
  /** What the AI batch runs on each image. */
  batchEffect = $state<BatchEffect>('super-resolution-x2');
  /** The user's source and chain from before a scenario replaced them (null: nothing kept). */
  saved = $state.raw<SavedSource | null>(null);
  /** The effect the last batch's results were made with (their file names say it). */
  #outputsEffect: BatchEffect = 'super-resolution-x2';
  frames = $state(FULL_SIZE.frames);
  warmup = $state(FULL_SIZE.warmup);
  readonly #app: AppState;
  #abort: AbortController | null = null;
  /** The order the next comparison runs the strategies in. */
  #order: readonly Strategy[] = STRATEGIES;

  constructor(app: AppState) {
    this.#app = app;
  }

  cancel(): void {
    this.#abort?.abort();
  }

  /** Runs the current source and chain under every strategy: one row, "Current: name". */
  async compareCurrent(): Promise<CompareRow | null> {
    return this.#guard('Compare', async (signal) => {
      const feed = await this.#feed();
      try {
        return await this.#measure(`Current: ${this.#label(feed)}`, feed, signal, {
          frames: this.frames,
          warmup: this.warmup,
          calibrationCap: FULL_SIZE.calibrationCap,
        });
      } finally {
        await feed.close();
      }
    });
  }

  /**
   * Loads a scenario's source and chain, then compares it under every strategy, in `order` (a
   * benchmark varies it between repeats, so a machine that drifts during a row, or a slot that
   * runs slower, does not always favour the same strategy).
   */
  async runScenario(
    id: ScenarioId,
    size: ScenarioSize = FULL_SIZE,
    order: readonly Strategy[] = STRATEGIES,
  ): Promise<CompareRow | null> {
    if (order.length !== STRATEGIES.length || STRATEGIES.some((s) => !order.includes(s)))
      throw new Error(`the order must name each strategy once: ${order.join(', ')}`);
    this.#order = order;
    const info = SCENARIOS.find((s) => s.id === id)!;
    if (id === 'ai-batch') {
      return this.#guard(info.name, async (signal) => {
        const items = await sampleImages(size.batchImage, size.batchItems);
        const what = BATCH_EFFECTS[this.batchEffect].label;
        return this.#measureBatch(
          `${info.name}: ${items.length} sample images, ${what}`,
          items,
          signal,
        );
      });
    }
    return this.#guard(info.name, async (signal) => {
      await this.#load(id, size);
      const feed = await this.#feed();
      try {
        const label = `${info.name} (${this.#label(feed)})`;
        return await this.#measure(label, feed, signal, size);
      } finally {
        await feed.close();
      }
    });
  }

  /**
   * Replaces the source and chain with a scenario's. The user's own are kept (the first time)
   * for `restoreSaved`: a scenario should not cost them their media.
   */
  async #load(id: Exclude<ScenarioId, 'ai-batch'>, size: ScenarioSize): Promise<void> {
    const app = this.#app;
    const info = SCENARIOS.find((s) => s.id === id)!;
    const saved = this.saved ? null : await app.files.saveSource();
    let loaded = false;
    try {
      if (id === 'video-edit') {
        this.running = `${info.name}: making a ${size.video.join('×')} clip…`;
        const photo = await sampleBitmap('astronaut-256.png');
        const frames = size.warmup + size.frames;
        const clip = await makeClip(photo, size.video[0], size.video[1], frames, (done) => {
          this.progress = done / frames;
        }).finally(() => photo.close());
        if (!(await app.files.openVideo(clip)))
          throw new Error('the scenario clip could not be opened');
        const lut = packLut(sampleCube(17, tealOrange, 'Teal & orange'), 'teal-orange.cube');
        app.luts.add(lut);
        const chain = chainFromStages(videoEditStages({ id: lut.id, name: 'teal-orange.cube' }));
        app.edit(() => chain); // one undo step: Undo gives the user's chain back
      } else {
        await app.video.remove();
        app.camera.stop();
        app.scene.setSize(size.scene[0], size.scene[1]);
        app.scene.start();
        const chain = chainFromStages(preview3dStages());
        app.edit(() => chain);
      }
      loaded = true;
    } finally {
      if (saved && loaded) this.saved = saved;
      else saved?.dispose();
    }
  }

  /** What a row measured: the source, and how many frames were in flight. */
  #label(feed: FrameFeed): string {
    const n = this.#app.scheduling.framesInFlight;
    return `${feed.name}, ${n} frame${n > 1 ? 's' : ''} in flight`;
  }

  /** Puts back the source and chain the user had before the first scenario. */
  async restoreSaved(): Promise<boolean> {
    const saved = this.saved;
    if (!saved || this.running) return false;
    if (!(await saved.restore())) return false; // kept: the reason is on screen, try again
    saved.dispose();
    if (this.saved === saved) this.saved = null;
    return true;
  }

  /** Runs a batch of the user's images under every strategy; the results can be downloaded. */
  async runUserBatch(files: File[]): Promise<CompareRow | null> {
    return this.#guard('AI batch', async (signal) => {
      const items: BatchItem[] = [];
      const skipped: string[] = [];
      for (const file of files) {
        const image = await imageFromFile(file).catch(() => null);
        if (image) items.push({ name: file.name, image });
        else skipped.push(file.name);
      }
      if (skipped.length)
        this.#app.notices.warning(
          `${skipped.length} file${skipped.length > 1 ? 's' : ''} skipped`,
          `Not images this browser can decode: ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? '…' : ''}`,
        );
      if (items.length === 0) throw new Error('no images to process');
      const what = BATCH_EFFECTS[this.batchEffect].label;
      const n = `${items.length} dropped image${items.length > 1 ? 's' : ''}`;
      return this.#measureBatch(`AI batch: ${n}, ${what}`, items, signal);
    });
  }

  /** The last batch's results as a zip of PNGs (null when there are none). */
  async batchZip(): Promise<Blob | null> {
    if (this.batchOutputs.length === 0) return null;
    const files: Record<string, Uint8Array> = {};
    for (const item of this.batchOutputs) {
      const png = await pngOf(item.image);
      const base = item.name.replace(/\.[^.]+$/, '');
      const suffix = BATCH_EFFECTS[this.#outputsEffect].suffix;
      let name = `${base}-${suffix}.png`;
      for (let i = 2; name in files; i++) name = `${base}-${suffix}-${i}.png`;
      files[name] = new Uint8Array(await png.arrayBuffer());
    }
    const zipped = zipSync(files, { level: 0 }); // PNGs are compressed already
    return new Blob([zipped.buffer as ArrayBuffer], { type: 'application/zip' });
  }

  exports(): { csv: string; json: string; markdown: string } | null {
    const t = this.table;
    return t ? { csv: toCsv(t), json: toJson(t), markdown: toMarkdown(t) } : null;
  }

  clear(): void {
    this.table = null;
  }

  async #guard(
    what: string,
    run: (signal: AbortSignal) => Promise<CompareRow>,
  ): Promise<CompareRow | null> {
    if (this.#abort) return null;
    const abort = new AbortController();
    this.#abort = abort;
    this.running = `${what}…`;
    try {
      const row = await run(abort.signal);
      this.#addRow(row);
      return row;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (abort.signal.aborted) this.#app.notices.info(`${what} cancelled`, 'No row was added.');
      else this.#app.notices.error(`${what} failed`, reason);
      return null;
    } finally {
      this.#abort = null;
      this.#order = STRATEGIES;
      this.running = null;
      this.progress = null;
    }
  }

  #addRow(row: CompareRow): void {
    const app = this.#app;
    const rows = (this.table?.rows ?? []).filter((r) => r.scenario !== row.scenario);
    const adapter = app.adapter;
    const browser = navigator.userAgent.match(/Chrom(e|ium)\/[\d.]+/)?.[0] ?? 'browser';
    const gpu = adapter ? describeAdapter(adapter) : 'no GPU';
    const machine = `${browser}, ${gpu}, ${navigator.hardwareConcurrency} logical CPUs`;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a timestamp, not state
    const date = new Date().toISOString();
    this.table = { machine, date, rows: [...rows, row] };
    if (row.unit === 'fps')
      for (const s of STRATEGIES) {
        const rate = row.cells[s].rate;
        if (rate !== null) app.perf.setMeasured(s, rate);
      }
  }

  /** The current source as a feed: a video's first frames, the scene at fixed times, or an image. */
  async #feed(): Promise<FrameFeed> {
    const app = this.#app;
    const engine = () => {
      if (!app.engine) throw new Error('the GPU is not ready');
      return app.engine;
    };
    if (app.scene.active) {
      app.scene.hold();
      let i = 0;
      return {
        name: `3D scene, ${app.scene.width}×${app.scene.height}`,
        restart: async () => {
          i = 0;
        },
        next: async () => app.scene.draw(i++ / 30),
        close: async () => app.scene.resume(),
      };
    }
    const file = app.video.file;
    if (file) {
      await app.video.pause();
      let frames = file.frames(0);
      return {
        name: `${file.name}, ${file.info.width}×${file.info.height}`,
        restart: async () => {
          await frames.return(undefined);
          frames = file.frames(0);
        },
        next: async () => {
          let r = await frames.next();
          if (r.done) {
            frames = file.frames(0); // a short clip loops: still the same frames each run
            r = await frames.next();
          }
          if (r.done) throw new Error('the video has no frames');
          try {
            await engine().setSourceFrame(r.value.frame);
          } finally {
            r.value.close();
          }
        },
        close: async () => {
          await frames.return(undefined);
          await app.video.seek(app.video.time); // the frame that was on screen, again
        },
      };
    }
    if (app.camera.camera)
      throw new Error(
        'compare runs on an image, a video or the 3D scene (a camera’s frames differ from run to run)',
      );
    if (!app.image) throw new Error('open an image or a video first');
    return {
      name: `${app.image.name}, ${app.image.width}×${app.image.height}`,
      restart: async () => {},
      next: async () => {},
      close: async () => {},
    };
  }

  /** Runs `feed` under each strategy: warm-up (and calibration), then the timed frames. */
  async #measure(
    scenario: string,
    feed: FrameFeed,
    signal: AbortSignal,
    size: { frames: number; warmup: number; calibrationCap: number },
  ): Promise<CompareRow> {
    const app = this.#app;
    const cells = {} as Record<Strategy, CompareCell>;
    /**
     * Starts the next frame (as many overlap as the app allows); resolves once it has taken its
     * source, with when it will be done.
     */
    const frame = async (strategy: Strategy): Promise<{ done: Promise<FrameTiming> }> => {
      signal.throwIfAborted();
      await app.session.frameSlot();
      await feed.next();
      const { done } = await app.session.startFrame();
      const timing = done.then((stats) => {
        if (!stats) throw new Error('the frame could not be rendered');
        const skipped = stats.ran.find((r) => r.skipped);
        if (skipped) throw new Error(`a stage could not run (${skipped.reason ?? skipped.stage})`);
        // A stage its targets failed ran elsewhere, so the frame was not lost — but that rate
        // is not this strategy's.
        const outside = stats.ran.find((r) => r.failedOver && !this.#allows(strategy, r.target));
        if (outside) {
          const effect = app.workload?.stages.find((s) => s.id === outside.stage)?.effect;
          throw new Error(
            `${STRATEGY_LABELS[strategy]} could not run ${effect ?? 'a stage'}: its own targets failed, and ${outside.target} is not one of them`,
          );
        }
        return stats.timing;
      });
      timing.catch(() => {}); // awaited below; a failure is the cell's error
      return { done: timing };
    };
    /**
     * Runs frames while `go(i)` says so (up to `count`), as many in flight as the app keeps (a
     * GPU-only frame's render resolves at submit: without the wait the queue would grow without
     * bound); `started` sees each frame's timing as it starts. Resolves with them all.
     */
    const frames = async (
      strategy: Strategy,
      count: number,
      go: (i: number) => boolean,
      started: (done: Promise<FrameTiming>) => void = () => {},
    ): Promise<FrameTiming[]> => {
      const timings: Promise<FrameTiming>[] = [];
      for (let i = 0; i < count && go(i); i++) {
        const done = (await frame(strategy)).done;
        timings.push(done);
        started(done);
        if (timings.length >= app.scheduling.framesInFlight)
          await timings[timings.length - app.scheduling.framesInFlight];
      }
      return Promise.all(timings);
    };
    for (const strategy of this.#order) {
      const label = `${scenario}: ${STRATEGY_LABELS[strategy]}`;
      const attempt = () =>
        app.scheduling.withMode(strategy, async (): Promise<CompareCell> => {
          await feed.restart();
          const placer = app.scheduling.scheduler(strategy);
          // Until the plan is settled (calibrated, and Auto's trial of close plans done), at the
          // frames in flight the timed frames run: one at a time, Auto's trial timed plans at a
          // rate they would not run at, and a fixed strategy's prediction came from it.
          await frames(strategy, size.warmup + size.calibrationCap, (i) => {
            this.running = `${label}, warm-up ${i + 1}`;
            return i < size.warmup || placer.scheduler.settling;
          });
          await feed.restart();
          const finished: number[] = [];
          // The plan is timed, not re-measuring: exploration costs ≤ 0.5% over time, but one
          // re-measure of a slow target inside a short timed run would count for 5–10% of it.
          const explore = placer.scheduler.options.exploreShare;
          placer.scheduler.options.exploreShare = 0;
          // The prediction is made before its frames run (from what the scheduler knew then).
          const planned = this.#planOf(strategy);
          const t0 = performance.now();
          const done = await frames(
            strategy,
            size.frames,
            (i) => {
              this.running = `${label}, frame ${i + 1}/${size.frames}`;
              this.progress = (this.#order.indexOf(strategy) + i / size.frames) / STRATEGIES.length;
              return true;
            },
            (timing) => void timing.then(() => finished.push(performance.now())).catch(() => {}),
          ).finally(() => (placer.scheduler.options.exploreShare = explore));
          const ms = performance.now() - t0;
          const intervals = finished.map((t, i) => t - (i === 0 ? t0 : finished[i - 1]));
          const busyMs: Record<string, number> = {};
          for (const { busy } of done)
            for (const [k, v] of Object.entries(busy))
              busyMs[k] = (busyMs[k] ?? 0) + v / done.length;
          return {
            rate: (size.frames * 1000) / ms,
            count: size.frames,
            ms,
            intervals,
            busyMs,
            ...planned,
          };
        });
      cells[strategy] = await this.#withRecovery(attempt, signal);
    }
    return { scenario, unit: 'fps', cells };
  }

  #allows(strategy: Strategy, target: string): boolean {
    const info = APP_TARGETS.find((t) => t.id === target);
    return !!info && strategyAllows(strategy, info);
  }

  /** The strategy's prediction for the chain about to run, and its plan stage by stage. */
  #planOf(strategy: Strategy): Pick<CompareCell, 'predicted' | 'plan'> {
    const app = this.#app;
    const work = app.workload;
    if (!work) return { predicted: null, plan: [] };
    const p = app.scheduling.scheduler(strategy).predict(work.stages, work.pixels, strategy);
    return {
      predicted: p && { fps: p.fps, low: p.low, high: p.high, basis: p.basis },
      plan: (p?.plan.stages ?? []).map((shares, i) => ({
        stage: work.stages[i]?.effect ?? `stage ${i}`,
        targets: shares
          .map((x) => `${x.target}${x.share < 1 ? ` ${Math.round(x.share * 100)}%` : ''}`)
          .join(' + '),
      })),
    };
  }

  /**
   * Runs one strategy's measurement; if the GPU device was lost under it (the app makes a new
   * one), waits for the new device and runs it once more. Failures become the cell's error.
   */
  async #withRecovery(
    attempt: () => Promise<CompareCell>,
    signal: AbortSignal,
  ): Promise<CompareCell> {
    const app = this.#app;
    for (let tries = 0; ; tries++) {
      const generation = app.deviceGeneration;
      const gpu = app.gpu;
      try {
        return await attempt();
      } catch (error) {
        if (signal.aborted) throw error;
        // A lost device's promise settles a little after the work that failed on it.
        await new Promise((r) => setTimeout(r, 300));
        const lost =
          !!gpu?.isLost || app.deviceGeneration !== generation || app.gpuStatus !== 'ready';
        if (!lost || tries >= 2 || !(await this.#gpuReady(signal)))
          return { rate: null, count: 0, ms: 0, error: messageOf(error) };
      }
    }
  }

  /**
   * Waits (up to 20 s) for a working GPU device after a loss, and a moment more: the ML runtimes
   * move to the new device just after it is ready.
   */
  async #gpuReady(signal: AbortSignal): Promise<boolean> {
    for (let waited = 0; waited < 20_000; waited += 100) {
      signal.throwIfAborted();
      if (this.#app.gpuStatus === 'ready' && !this.#app.gpu?.isLost) {
        await new Promise((r) => setTimeout(r, 1000));
        return this.#app.gpuStatus === 'ready';
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  /**
   * Runs the batch under each strategy on the ML targets it allows, all at once. Nothing else
   * renders while it is timed: a live 3D scene is held and a playing video paused (the scene
   * comes back after), since either would take the same cores and GPU.
   */
  async #measureBatch(
    scenario: string,
    items: BatchItem[],
    signal: AbortSignal,
  ): Promise<CompareRow> {
    const app = this.#app;
    const cells = {} as Record<Strategy, CompareCell>;
    const effect = this.batchEffect;
    let outputs: BatchItem[] = [];
    await app.video.pause();
    const scene = app.scene.active;
    if (scene) app.scene.hold();
    try {
      for (const strategy of this.#order) {
        const label = `${scenario}: ${STRATEGY_LABELS[strategy]}`;
        const targets = app.ai.runner.targets.filter((t) => this.#allows(strategy, t));
        const attempt = async (): Promise<CompareCell> => {
          if (targets.length === 0)
            throw new Error('no ML target this strategy allows is available');
          const run = (target: MlTarget, image: RgbaImage) =>
            app.ai.runner.runOnCpu(effect, target, image, {}, app.env);
          // Warm-up: each target loads the model and runs it once (not timed).
          const ready: MlTarget[] = [];
          for (const t of targets) {
            this.running = `${label}: warming up ${t}`;
            await run(t, items[0].image).then(
              () => ready.push(t),
              () => {},
            );
          }
          if (ready.length === 0) throw new Error('every target failed to warm up');
          // One timed item per target (the endpoint's round trip apart): what the planner needs
          // to say how many items in flight pay, and where.
          const timings: ItemTiming[] = [];
          for (const t of ready) {
            this.running = `${label}: timing ${t}`;
            await app.ai.runner.takeRoundTrips(effect, t); // the warm-up's round trips are not this item's
            const t0 = performance.now();
            await run(t, items[1 % items.length].image);
            const ms = performance.now() - t0;
            const trip = await app.ai.runner.takeRoundTrips(effect, t);
            timings.push(
              trip
                ? {
                    target: t,
                    ms,
                    link: linkOf(trip),
                  }
                : { target: t, ms },
            );
          }
          const { width, height } = items[0].image;
          const scale = effect === 'super-resolution-x2' ? 2 : 1;
          const budget = Math.min(MAX_IN_FLIGHT, Engine.framesWithinBudget(width, height, scale));
          const plan = planBatch(timings, budget);
          const finished: number[] = [];
          const t0 = performance.now();
          const result = await runBatch(
            items,
            ready.map((t) => ({
              id: t,
              run: (item: BatchItem) => run(t, item.image),
              slots: plan.slots[t] ?? 1,
            })),
            {
              clock: () => performance.now(),
              tailAware: strategy === 'auto',
              signal,
              onItem: (done, total) => {
                finished.push(performance.now());
                this.running = `${label}: ${done}/${total}`;
                this.progress = (this.#order.indexOf(strategy) + done / total) / STRATEGIES.length;
              },
            },
          );
          outputs = items.map((item, i) => ({ name: item.name, image: result.outputs[i] }));
          const intervals = finished.map((t, i) => t - (i === 0 ? t0 : finished[i - 1]));
          return {
            rate: (items.length * 1000) / result.ms,
            count: items.length,
            ms: result.ms,
            intervals,
            inFlight: plan.inFlight,
            slots: plan.slots,
          };
        };
        cells[strategy] = await this.#withRecovery(attempt, signal);
      }
    } finally {
      if (scene) app.scene.resume();
    }
    this.batchOutputs = outputs;
    this.#outputsEffect = effect;
    return { scenario, unit: 'items/s', cells };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
