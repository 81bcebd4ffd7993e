import { findMlEffect } from '../../effects/catalogue';
import { blurCpu } from '../../effects/defs/blur-passes';
import type { RgbaImage } from '../../effects/image';
import type { ParamValues } from '../../effects/params';
import { resizeBilinear } from '../resize';
import { OrtModel, fetchModel, type MlTarget } from '../runtime/ort';
import { compositeWithMask, imageToTensor, upsampleMask, type Mask } from '../tensor';

interface ManifestEntry {
  id: string;
  files: { onnx: string };
  inputs: { shape: (number | string)[] }[];
}

/** Reports model loading: a label and a fraction, or null when done. */
export type LoadReporter = (progress: { label: string; fraction: number | null } | null) => void;

/**
 * Runs the AI effects. It owns one model per model id, loaded on first use with progress and
 * released when no stage needs it. Today it runs on ort-wasm with CPU pre/post-processing (the
 * frame comes to CPU memory like a CPU stage); the GPU-resident ort-webgpu path is next.
 */
export class MlEffectRunner {
  readonly target: MlTarget = 'ort-wasm';
  readonly #base: string;
  readonly #report: LoadReporter;
  readonly #models = new Map<string, Promise<OrtModel>>();
  #manifest: Promise<ManifestEntry[]> | null = null;

  constructor(base: string, report: LoadReporter) {
    this.#base = base;
    this.#report = report;
  }

  #entry(model: string): Promise<ManifestEntry> {
    this.#manifest ??= fetch(`${this.#base}models/manifest.json`).then(async (r) => {
      if (!r.ok) throw new Error(`the model manifest is missing (HTTP ${r.status})`);
      return ((await r.json()) as { models: ManifestEntry[] }).models;
    });
    return this.#manifest.then((models) => {
      const entry = models.find((m) => m.id === model);
      if (!entry) throw new Error(`model ${model} is not in the manifest`);
      return entry;
    });
  }

  #model(id: string): Promise<OrtModel> {
    let model = this.#models.get(id);
    if (!model) {
      model = (async () => {
        const entry = await this.#entry(id);
        const label = `Loading model ${id}`;
        this.#report({ label, fraction: 0 });
        try {
          const bytes = await fetchModel(`${this.#base}models/${entry.files.onnx}`, (p) =>
            this.#report({ label, fraction: p.total ? p.loaded / p.total : null }),
          );
          return await OrtModel.load(bytes, this.target, null);
        } finally {
          this.#report(null);
        }
      })();
      // A failed load is forgotten, so the next frame tries again.
      model.catch(() => this.#models.delete(id));
      this.#models.set(id, model);
    }
    return model;
  }

  /** The model's person mask for an image (probabilities in [0, 1] at the model's size). */
  async #mask(modelId: string, image: RgbaImage): Promise<Mask> {
    const model = await this.#model(modelId);
    const entry = await this.#entry(modelId);
    const [, h, w] = entry.inputs[0].shape as number[];
    const small = resizeBilinear(image, w, h);
    const input = imageToTensor(small, { layout: 'nhwc', mean: [0, 0, 0], std: [1, 1, 1] });
    const out = await model.run({ input: { data: input, dims: [1, h, w, 3] } });
    return { width: w, height: h, data: out[model.outputNames[0]].data };
  }

  async run(effectId: string, image: RgbaImage, params: ParamValues): Promise<RgbaImage> {
    const effect = findMlEffect(effectId);
    if (!effect) throw new Error(`unknown AI effect "${effectId}"`);
    const mask = await this.#mask(effect.model, image);
    switch (effect.id) {
      case 'show-mask':
        return upsampleMask(mask, image.width, image.height);
      case 'background-blur':
        return compositeWithMask(image, blurCpu(image, params.radius as number), mask);
      default:
        throw new Error(`AI effect "${effectId}" has no runner`);
    }
  }

  /** Releases the models no stage uses any more. */
  async retain(modelIds: ReadonlySet<string>): Promise<void> {
    for (const [id, model] of this.#models) {
      if (modelIds.has(id)) continue;
      this.#models.delete(id);
      await model.then((m) => m.release()).catch(() => {});
    }
  }

  /** How many models are loaded or loading (tests check that removing a stage releases one). */
  get loaded(): number {
    return this.#models.size;
  }

  async destroy(): Promise<void> {
    await this.retain(new Set());
  }
}
