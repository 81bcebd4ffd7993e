import { zipSync } from 'fflate';
import { chainFromStages } from '../../effects/chain';
import { packLut } from '../../effects/lut/lut';
import { sampleCube } from '../../effects/lut/cube';
import { describeAdapter } from '../../gpu';
import { makeClip } from '../../media/video/make-clip';
import {
  STRATEGIES,
  toCsv,
  toJson,
  toMarkdown,
  type CompareRow,
  type CompareTable,
} from '../../perf/report';
import {
  BATCH_EFFECTS,
  COMPARE_SECONDS,
  FULL_SIZE,
  SCENARIOS,
  preview3dStages,
  tealOrange,
  videoEditStages,
  type BatchEffect,
  type ScenarioId,
  type ScenarioSize,
} from '../../perf/scenarios';
import type { Strategy } from '../../scheduler';
import type { AppState } from './app.svelte';
import { measureBatch } from '../../session/compare/batch';
import { measureFrames, type FrameFeed } from '../../session/compare/frames';
import type { CompareRun } from '../../session/compare/host';
import { frameFeed } from './compare-feed';
import { appCompareHost } from './compare-host';
import type { SavedSource } from './saved-source';
import { imageFromFile, pngOf, sampleBitmap, sampleImages, type BatchItem } from './batch-images';

export type { BatchItem };

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
  /** Seconds the run has left, from the strategies done so far (null: not known yet). */
  etaS = $state<number | null>(null);
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
  /** Each strategy's timed frames stop after this many seconds if `frames` take longer. */
  seconds = $state(COMPARE_SECONDS);
  readonly #app: AppState;
  #abort: AbortController | null = null;
  /** The order the next comparison runs the strategies in. */
  #order: readonly Strategy[] = STRATEGIES;

  constructor(app: AppState) {
    this.#app = app;
  }

  /** This comparison as the measuring functions see it. */
  get #run(): CompareRun {
    return { host: appCompareHost(this.#app), order: this.#order, status: this };
  }

  /** Runs the AI batch under each strategy, and keeps its outputs (the zip). */
  async #batch(scenario: string, items: BatchItem[], signal: AbortSignal): Promise<CompareRow> {
    const effect = this.batchEffect;
    const { row, outputs } = await measureBatch(this.#run, scenario, items, effect, signal);
    this.batchOutputs = outputs;
    this.#outputsEffect = effect;
    return row;
  }

  cancel(): void {
    this.#abort?.abort();
  }

  /** Runs the current source and chain under every strategy: one row, "Current: name". */
  async compareCurrent(): Promise<CompareRow | null> {
    return this.#guard('Compare', async (signal) => {
      const feed = await frameFeed(this.#app);
      try {
        return await measureFrames(this.#run, `Current: ${this.#label(feed)}`, feed, signal, {
          frames: this.frames,
          warmup: this.warmup,
          calibrationCap: FULL_SIZE.calibrationCap,
          seconds: this.seconds,
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
        return this.#batch(`${info.name}: ${items.length} sample images, ${what}`, items, signal);
      });
    }
    return this.#guard(info.name, async (signal) => {
      await this.#load(id, size);
      const feed = await frameFeed(this.#app);
      try {
        const label = `${info.name} (${this.#label(feed)})`;
        return await measureFrames(this.#run, label, feed, signal, size);
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
      return this.#batch(`AI batch: ${n}, ${what}`, items, signal);
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
      this.etaS = null;
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
}
