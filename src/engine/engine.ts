import type { Chain, StageSpec } from '../effects/chain';
import { findEffect } from '../effects/catalogue';
import type { EffectEnv } from '../effects/effect';
import type { RgbaImage } from '../effects/image';
import type { GpuContext } from '../gpu/device';
import type { Presenter, ViewTransform } from '../gpu/presenter';
import { readTexture } from '../gpu/readback';
import type { FrameInfo, GpuStage } from '../gpu/stage';
import { TexturePool } from '../gpu/texture-pool';
import { uploadImage, type UploadPath } from '../gpu/upload';

/** Where a stage runs. Only the GPU exists today; the scheduler will choose among more. */
export type TargetKind = 'gpu';

/** Decides the target of each stage of each frame. The default puts everything on the GPU. */
export type Placement = (stage: StageSpec, frame: FrameInfo) => TargetKind;

export const gpuOnly: Placement = () => 'gpu';

export interface FrameStats {
  frame: number;
  /** Queue submits this frame made (1 when it rendered). */
  submits: number;
  /** GPU → CPU copies this frame made (0 on the display path). */
  readbacks: number;
  /** Stage ids that ran, with the target each ran on. */
  ran: { stage: string; target: TargetKind }[];
}

interface OwnedStage {
  effect: string;
  gpu: GpuStage<Record<string, unknown>>;
}

/**
 * Takes a source frame through a chain on one GPU device and presents it. Per frame: one command
 * encoder, one submit, intermediate textures from a bounded pool, no readback. It owns the source
 * texture, the pool and one GPU stage per chain stage (created on first use, destroyed when the
 * stage leaves the chain).
 */
export class Engine {
  readonly gpu: GpuContext;
  placement: Placement = gpuOnly;
  readonly #env: EffectEnv;
  readonly #pool: TexturePool;
  readonly #stages = new Map<string, OwnedStage>();
  #source: GPUTexture | null = null;
  #uploadPath: UploadPath | null = null;

  constructor(gpu: GpuContext, env: EffectEnv) {
    this.gpu = gpu;
    this.#env = env;
    this.#pool = new TexturePool(gpu);
  }

  get sourceSize(): [number, number] | null {
    return this.#source ? [this.#source.width, this.#source.height] : null;
  }

  get uploadPath(): UploadPath | null {
    return this.#uploadPath;
  }

  get pool(): TexturePool {
    return this.#pool;
  }

  /** Replaces the source image. The caller keeps the bitmap (to rebuild after device loss). */
  setSource(image: ImageBitmap | RgbaImage): void {
    if (
      image.width > this.gpu.adapter.maxTextureDimension2D ||
      image.height > this.gpu.adapter.maxTextureDimension2D
    ) {
      throw new RangeError(
        `${image.width}×${image.height} exceeds this GPU's ${this.gpu.adapter.maxTextureDimension2D} px limit`,
      );
    }
    const uploaded = uploadImage(this.gpu, image, 'Triad.source');
    if (this.#source) this.gpu.destroy(this.#source);
    this.#source = uploaded.texture;
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
      gpu: effect.createGpuStage(this.gpu, this.#env) as GpuStage<Record<string, unknown>>,
    };
    this.#stages.set(spec.id, created);
    return created;
  }

  /** Destroys GPU stages whose chain stage is gone. */
  #reconcile(chain: Chain): void {
    const live = new Set(chain.stages.map((s) => s.id));
    for (const [id, owned] of this.#stages) {
      if (!live.has(id)) {
        owned.gpu.destroy();
        this.#stages.delete(id);
      }
    }
  }

  /**
   * Records every enabled stage into `encoder`. Returns the result texture: the source itself
   * when nothing ran, otherwise a pool texture the caller must release after submitting.
   */
  #encodeChain(
    encoder: GPUCommandEncoder,
    chain: Chain,
    frame: FrameInfo,
    ran: FrameStats['ran'],
  ): GPUTexture {
    const source = this.#source;
    if (!source) throw new Error('no source image');
    let current = source;
    for (const spec of chain.stages) {
      if (!spec.enabled) continue;
      const target = this.placement(spec, frame);
      const output = this.#pool.acquire(source.width, source.height);
      this.#stageFor(spec).gpu.encode(
        { encoder, input: current, output, pool: this.#pool, frame },
        spec.params,
      );
      if (current !== source) this.#pool.release(current);
      current = output;
      ran.push({ stage: spec.id, target });
    }
    return current;
  }

  #finish(result: GPUTexture): void {
    if (result !== this.#source) this.#pool.release(result);
    this.#pool.endFrame();
  }

  /** Renders one frame and presents it: one encoder, one submit, no readback. */
  render(chain: Chain, frame: FrameInfo, presenter: Presenter, view: ViewTransform): FrameStats {
    const before = { ...this.gpu.counters };
    this.#reconcile(chain);
    const ran: FrameStats['ran'] = [];
    const encoder = this.gpu.device.createCommandEncoder({ label: `Triad.frame${frame.index}` });
    const result = this.#encodeChain(encoder, chain, frame, ran);
    presenter.encode(encoder, this.#source!, result, view);
    this.gpu.submit([encoder.finish()]);
    this.#finish(result);
    return {
      frame: frame.index,
      submits: this.gpu.counters.submits - before.submits,
      readbacks: this.gpu.counters.readbacks - before.readbacks,
      ran,
    };
  }

  /** Runs the chain without presenting; resolves once the GPU has finished (benchmarks). */
  async run(chain: Chain, frame: FrameInfo): Promise<void> {
    this.#reconcile(chain);
    const encoder = this.gpu.device.createCommandEncoder({ label: `Triad.run${frame.index}` });
    const result = this.#encodeChain(encoder, chain, frame, []);
    this.gpu.submit([encoder.finish()]);
    this.#finish(result);
    await this.gpu.device.queue.onSubmittedWorkDone();
  }

  /** Renders the chain at full resolution and reads it back (export, tests). */
  async renderToImage(chain: Chain, frame: FrameInfo): Promise<RgbaImage> {
    this.#reconcile(chain);
    const encoder = this.gpu.device.createCommandEncoder({ label: `Triad.export${frame.index}` });
    const result = this.#encodeChain(encoder, chain, frame, []);
    this.gpu.submit([encoder.finish()]);
    try {
      return await readTexture(this.gpu, result);
    } finally {
      this.#finish(result);
    }
  }

  /** The uploaded source pixels, as the GPU sees them (parity tests start from these). */
  async readSource(): Promise<RgbaImage> {
    if (!this.#source) throw new Error('no source image');
    return readTexture(this.gpu, this.#source);
  }

  destroy(): void {
    for (const owned of this.#stages.values()) owned.gpu.destroy();
    this.#stages.clear();
    this.#pool.destroy();
    if (this.#source) this.gpu.destroy(this.#source);
    this.#source = null;
  }
}
