import { findMlEffect, runsOnGpuSide } from '../../effects/catalogue';
import type { EffectEnv, MlEffectDefinition } from '../../effects/effect';
import { createImage, toByte, type RgbaImage } from '../../effects/image';
import type { ParamValues } from '../../effects/params';
import type { GpuContext } from '../../gpu/device';
import { resizeBilinear } from '../resize';
import type { Availability } from '../runtime/ort';
import type { ModelEntry, ModelRuntimes } from '../runtime/load';
import type { MlModel, TensorData } from '../runtime/tensor-data';
import type { MlTarget } from '../../core/targets';
import { imageToTensor } from '../tensor';
import { SR_OVERLAP, SR_TILE, runTiled } from '../tiling';
import { MODEL_INPUT, compositeCpu } from './backgrounds';
import { ModelFailure } from './model-failure';
import { SegmentationGpu, type GpuFrameIo } from './segmentation-gpu';
import type { EndpointHealth, OipClient, RoundTrip } from '../remote/client';
import { RemoteModel } from '../remote/model';

/** Reports long work (model loading, tiled inference): a label and a fraction, or null when done. */
export type ProgressReporter = (
  progress: { label: string; fraction: number | null } | null,
) => void;

/** Super-resolution works on frames up to this many pixels (a 1080p frame). */
export const SR_MAX_INPUT_PIXELS = 1920 * 1080;

/** What the UI shows of a loaded model. */
export interface ModelStats {
  model: string;
  target: MlTarget;
  loadMs: number;
  firstRunMs: number | null;
  lastRunMs: number | null;
}

interface Loaded {
  model: MlModel;
  loadMs: number;
}

/** One inference of a model in use by a frame; its failures are `ModelFailure`s. */
type RunModel = (input: TensorData) => Promise<TensorData>;

/**
 * Runs the AI effects on any available ML target. It owns one model per (model, target), loaded on
 * first use with progress and a warm-up inference, and released when no stage needs it.
 *
 * Two paths, so either side of the machine can do the pre- and post-processing:
 * - `runOnGpu` (segmentation effects, frame on the GPU): resize, tensor, composite in WGSL; only
 *   the model's small input is read back (ort-webgpu and tfjs-webgpu each run in a worker on a
 *   device of its own).
 * - `runOnCpu` (every effect, frame in CPU memory): the CPU twins; super-resolution is tiled with
 *   overlap so seams do not show.
 */
export class MlEffectRunner {
  readonly #runtimes: ModelRuntimes;
  readonly #report: ProgressReporter;
  readonly #models = new Map<string, Promise<Loaded>>();
  /** The keys of `#models` whose load has finished (a frame can run on them without waiting). */
  readonly #ready = new Map<string, MlModel>();
  readonly #availability = new Map<MlTarget, Availability>();
  #manifest: Promise<ModelEntry[]> | null = null;
  /**
   * The GPU side of segmentation, one per target: each keeps its buffers between frames, so two
   * frames in flight on two targets (a split plan) do not share them.
   */
  readonly #gpuKits = new Map<MlTarget, SegmentationGpu>();
  #gpu: GpuContext | null = null;
  #endpoint: OipClient | null = null;

  /** `runtimes`: the browser's (`browserRuntimes`) or the triad command's (src/headless/). */
  constructor(runtimes: ModelRuntimes, report: ProgressReporter) {
    this.#runtimes = runtimes;
    this.#report = report;
    for (const [target, detail] of runtimes.ready)
      this.#availability.set(target, { available: true, detail });
  }

  /**
   * Learns which targets can run with this GPU device (null: none). A new device (after a loss):
   * the GPU kits of the old one are released now (the models stay: each GPU runtime has a
   * device of its own in its worker, and a loss of that one restarts it).
   */
  async setGpu(gpu: GpuContext | null): Promise<void> {
    if (this.#gpu && gpu !== this.#gpu) this.#releaseGpuSide();
    this.#gpu = gpu;
    await Promise.all(
      this.#runtimes.targets
        .filter((t) => t !== 'remote')
        .map(async (t) => this.#availability.set(t, await this.#runtimes.availability(t, gpu))),
    );
  }

  /**
   * The inference endpoint to use as the remote target, and whether it can serve now (its
   * monitor says). Models loaded from an earlier endpoint are dropped.
   */
  setEndpoint(client: OipClient | null, health: EndpointHealth | null): void {
    if (client !== this.#endpoint) {
      this.#endpoint = client;
      for (const [key, loaded] of this.#models) {
        if (!key.endsWith('|remote')) continue;
        this.#forget(key);
        void loaded.then((l) => l.model.release()).catch(() => {});
      }
    }
    this.#availability.set(
      'remote',
      client && health?.state === 'ready'
        ? { available: true, detail: `${client.settings.url} (${client.settings.mode})` }
        : { available: false, detail: health?.detail ?? 'no inference endpoint is configured' },
    );
  }

  /** The endpoint round trips a stage's model made since the last call (remote target only). */
  async takeRoundTrips(effectId: string, target: MlTarget): Promise<RoundTrip | null> {
    if (target !== 'remote') return null;
    const loaded = this.#models.get(`${this.#effect(effectId).model}|remote`);
    const model = loaded ? await loaded.catch(() => null) : null;
    return model?.model instanceof RemoteModel ? model.model.takeRoundTrips() : null;
  }

  /** Each target's availability, and why not. */
  get availability(): ReadonlyMap<MlTarget, Availability> {
    return this.#availability;
  }

  /** The targets that can run here, in order of preference. */
  get targets(): MlTarget[] {
    return this.#runtimes.targets.filter((t) => this.#availability.get(t)?.available);
  }

  /**
   * Releases the GPU kits of the app's device (it was lost or replaced). No model lives on it:
   * the GPU runtimes each have a device of their own in their worker.
   */
  #releaseGpuSide(): void {
    for (const kit of this.#gpuKits.values()) kit.destroy();
    this.#gpuKits.clear();
  }

  #entry(model: string): Promise<ModelEntry> {
    this.#manifest ??= this.#runtimes.manifest();
    this.#manifest.catch(() => (this.#manifest = null));
    return this.#manifest.then((models) => {
      const entry = models.find((m) => m.id === model);
      if (!entry) throw new Error(`model ${model} is not in the manifest`);
      return entry;
    });
  }

  #model(id: string, target: MlTarget): Promise<Loaded> {
    const key = `${id}|${target}`;
    let loaded = this.#models.get(key);
    if (!loaded) {
      loaded = (async () => {
        const entry = await this.#entry(id);
        const label = `Loading ${id} on ${target}`;
        this.#report({ label, fraction: 0 });
        const t0 = performance.now();
        try {
          const model = await this.#runtimes.load(
            entry,
            target,
            this.#gpu,
            (p) => this.#report({ label, fraction: p.total ? p.loaded / p.total : null }),
            this.#endpoint,
          );
          // Warm-up: the first inference compiles kernels; it is timed apart (firstRunMs).
          this.#report({ label: `Warming up ${id} on ${target}`, fraction: null });
          await model.run(warmUpInput(entry));
          if (model instanceof RemoteModel) model.takeRoundTrips(); // not a frame's
          return { model, loadMs: performance.now() - t0 };
        } finally {
          this.#report(null);
        }
      })();
      const current = loaded;
      // A failed load is forgotten, so a later frame tries again.
      current.then(
        (l) => this.#models.get(key) === current && this.#ready.set(key, l.model),
        () => this.#models.get(key) === current && this.#forget(key),
      );
      this.#models.set(key, current);
    }
    const current = loaded;
    // A model whose runtime was restarted since (its own GPU device was lost) loads again.
    return current.then((l) => {
      if (!l.model.stale) return l;
      if (this.#models.get(key) === current) {
        this.#forget(key);
        void l.model.release().catch(() => {});
      }
      return this.#model(id, target);
    });
  }

  /**
   * A run of the effect's model on the target, for a frame: a failure to load or to run
   * is the target's (`ModelFailure`). A runtime restarted under the run (its own GPU device was
   * lost) starts loading the model again at once, not at the next frame that asks for it.
   */
  async #use(effect: MlEffectDefinition, target: MlTarget): Promise<RunModel> {
    let model: MlModel;
    try {
      ({ model } = await this.#model(effect.model, target));
    } catch (error) {
      throw new ModelFailure(target, error);
    }
    return async (input) => {
      try {
        return await model.run(input);
      } catch (error) {
        if (model.stale) this.warm(effect.id, target);
        throw new ModelFailure(target, error);
      }
    };
  }

  #forget(key: string): void {
    this.#models.delete(key);
    this.#ready.delete(key);
  }

  /** Whether the effect's model is loaded on the target (a frame would not wait for a load). */
  isReady(effectId: string, target: MlTarget): boolean {
    const model = this.#ready.get(`${this.#effect(effectId).model}|${target}`);
    return model !== undefined && !model.stale;
  }

  /** Starts loading the effect's model on the target, without waiting for it. */
  warm(effectId: string, target: MlTarget): void {
    this.#model(this.#effect(effectId).model, target).catch(() => {});
  }

  #effect(effectId: string): MlEffectDefinition {
    const effect = findMlEffect(effectId);
    if (!effect) throw new Error(`unknown AI effect "${effectId}"`);
    return effect;
  }

  /** Whether the effect can run with the frame on the GPU (segmentation effects can). */
  runsOnGpu(effectId: string): boolean {
    this.#effect(effectId); // an unknown effect throws
    return runsOnGpuSide(effectId);
  }

  async runOnGpu(
    effectId: string,
    target: MlTarget,
    frame: GPUTexture,
    params: ParamValues,
    env: EffectEnv,
    io: GpuFrameIo,
  ): Promise<GPUTexture> {
    const effect = this.#effect(effectId);
    if (effect.task !== 'segmentation') throw new Error(`${effect.name} runs on the CPU side`);
    const run = await this.#use(effect, target);
    const entry = await this.#entry(effect.model);
    // A frame of a device replaced since (it was lost under the frame) must not touch the kits:
    // they are the new device's now (a frame that did destroyed the new frame's buffers). The
    // kits of an old device were released when the runner moved to the new one.
    if (io.gpu !== this.#gpu) throw new Error('the GPU device was replaced during the frame');
    let kit = this.#gpuKits.get(target);
    if (!kit) {
      kit = new SegmentationGpu(io.gpu, env);
      this.#gpuKits.set(target, kit);
    }
    const mask = await kit.mask(io, frame, run, inputSize(entry));
    try {
      return kit.composite(io, effect, frame, mask, params, env);
    } finally {
      io.flush(); // the composite is on the queue before the mask buffer goes back
      mask.dispose();
    }
  }

  async runOnCpu(
    effectId: string,
    target: MlTarget,
    image: RgbaImage,
    params: ParamValues,
    env: EffectEnv,
    maxDimension = Infinity,
  ): Promise<RgbaImage> {
    const effect = this.#effect(effectId);
    const run = await this.#use(effect, target);
    const entry = await this.#entry(effect.model);
    if (effect.task === 'super-resolution') return this.#upscale(effect, run, image, maxDimension);
    const [w, h] = inputSize(entry);
    const input = imageToTensor(resizeBilinear(image, w, h), MODEL_INPUT);
    const out = await run({ data: input, dims: [1, h, w, 3] });
    return compositeCpu(effect, image, { width: w, height: h, data: out.data }, params, env);
  }

  async #upscale(
    effect: MlEffectDefinition,
    run: RunModel,
    image: RgbaImage,
    maxDimension: number,
  ): Promise<RgbaImage> {
    const scale = effect.scale ?? 1;
    const [w, h] = [image.width * scale, image.height * scale];
    if (image.width * image.height > SR_MAX_INPUT_PIXELS)
      throw new RangeError(
        `${effect.name} works on frames up to 1920×1080 (this one is ${image.width}×${image.height})`,
      );
    if (w > maxDimension || h > maxDimension)
      throw new RangeError(
        `${effect.name} would make ${w}×${h}, over this GPU's ${maxDimension} px limit`,
      );
    const label = `${effect.name}`;
    try {
      return await runTiled(image, scale, (tile) => upscaleTile(run, tile, scale), {
        tileSize: SR_TILE,
        overlap: SR_OVERLAP,
        onProgress: (done, total) => {
          if (total > 1)
            this.#report({ label: `${label}: tile ${done}/${total}`, fraction: done / total });
        },
      });
    } finally {
      this.#report(null);
    }
  }

  /** Releases the models no stage uses any more. */
  async retain(modelIds: ReadonlySet<string>): Promise<void> {
    for (const [key, loaded] of this.#models) {
      if (modelIds.has(key.split('|')[0])) continue;
      this.#forget(key);
      await loaded.then((l) => l.model.release()).catch(() => {});
    }
  }

  /** How many models are loaded or loading (tests check that removing a stage releases one). */
  get loaded(): number {
    return this.#models.size;
  }

  /** Load and inference times of the loaded models. */
  async stats(): Promise<ModelStats[]> {
    const settled = await Promise.allSettled(
      [...this.#models].map(async ([key, loaded]) => {
        const { model, loadMs } = await loaded;
        const [id, target] = key.split('|');
        return {
          model: id,
          target: target as MlTarget,
          loadMs,
          firstRunMs: model.firstRunMs,
          lastRunMs: model.lastRunMs,
        };
      }),
    );
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  }

  async destroy(): Promise<void> {
    await this.retain(new Set());
    for (const kit of this.#gpuKits.values()) kit.destroy();
    this.#gpuKits.clear();
  }
}

/** The model's fixed input size, [width, height] (the segmentation model's is 256×256). */
function inputSize(entry: ModelEntry): [number, number] {
  const [, h, w] = entry.inputs[0].shape;
  if (typeof w !== 'number' || typeof h !== 'number')
    throw new Error(`model ${entry.id} has no fixed input size`);
  return [w, h];
}

/** A mid-grey input of the model's size (16×16 for models of any size) for the warm-up run. */
function warmUpInput(entry: ModelEntry): { data: Float32Array; dims: number[] } {
  const [, h, w] = entry.inputs[0].shape.map((d) => (typeof d === 'number' ? d : 16));
  const scale = entry.task === 'super-resolution' ? 255 : 1;
  return { data: new Float32Array(h * w * 3).fill(0.5 * scale), dims: [1, h, w, 3] };
}

/** One ESRGAN tile: RGB in [0, 255] NHWC in, `scale`× out, clamped to bytes. */
async function upscaleTile(run: RunModel, tile: RgbaImage, scale: number): Promise<RgbaImage> {
  const input = imageToTensor(tile, {
    layout: 'nhwc',
    mean: [0, 0, 0],
    std: [1 / 255, 1 / 255, 1 / 255],
  });
  const out = await run({ data: input, dims: [1, tile.height, tile.width, 3] });
  const image = createImage(tile.width * scale, tile.height * scale);
  const n = image.width * image.height;
  if (out.data.length !== n * 3)
    throw new Error(`the model answered ${out.data.length / 3} pixels for a ${n}-pixel tile`);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) image.data[i * 4 + c] = toByte(out.data[i * 3 + c] / 255);
    image.data[i * 4 + 3] = 255;
  }
  return image;
}
