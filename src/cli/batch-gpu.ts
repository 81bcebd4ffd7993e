// The batch's GPU device and the engine on it. A device lost under a batch (a driver reset, a
// GPU taken back, Dawn's GL backend under heavy kernels) is replaced: a new device, a new engine
// set up as the first, the AI runner moved to it, and the images that were in flight rendered
// again — the batch goes on and loses nothing.
import type { RgbaImage } from '../core/image';
import type { Chain } from '../effects/chain';
import type { Engine, FrameStats } from '../engine';
import type { GpuContext } from '../gpu/device';
import type { MlEffectRunner } from '../ml/effects/runner';
import { openGpu, type AdapterChoice, type OpenedGpu } from './gpu';

/** Losses one image may meet before it fails with the last one. */
const LOSSES_PER_IMAGE = 2;

export class BatchGpu {
  readonly #adapter: AdapterChoice;
  readonly #create: (gpu: GpuContext) => Engine;
  readonly #ml: MlEffectRunner;
  readonly #onLoss: (message: string) => void;
  #opened: OpenedGpu;
  #engine: Engine;
  #recovering: Promise<void> | null = null;
  /** Frames take the engine's source one at a time: set it, start the frame, next. */
  #sourceTurn: Promise<unknown> = Promise.resolve();
  /** Devices lost and replaced so far. */
  losses = 0;

  private constructor(
    adapter: AdapterChoice,
    opened: OpenedGpu,
    ml: MlEffectRunner,
    create: (gpu: GpuContext) => Engine,
    onLoss: (message: string) => void,
  ) {
    this.#adapter = adapter;
    this.#opened = opened;
    this.#ml = ml;
    this.#create = create;
    this.#onLoss = onLoss;
    this.#engine = create(opened.gpu);
  }

  /** Opens a device; `create` makes each engine (the first, and one after each loss). */
  static async open(
    adapter: AdapterChoice,
    ml: MlEffectRunner,
    create: (gpu: GpuContext) => Engine,
    onLoss: (message: string) => void,
  ): Promise<BatchGpu> {
    const opened = await openGpu(adapter);
    await ml.setGpu(opened.gpu);
    return new BatchGpu(adapter, opened, ml, create, onLoss);
  }

  get gpu(): GpuContext {
    return this.#opened.gpu;
  }

  /** The adapter, as people read it. */
  get name(): string {
    return this.#opened.name;
  }

  /**
   * Renders `image` through `chain` at full resolution (a still: frame 0, as the app exports
   * one). A device lost under it: waits for the new one and renders it again there.
   */
  async render(chain: Chain, image: RgbaImage, ran: FrameStats['ran']): Promise<RgbaImage> {
    for (let losses = 0; ; losses++) {
      await this.#recovering;
      const opened = this.#opened;
      try {
        const turn = this.#sourceTurn.then(() => {
          this.#engine.setSource(image);
          return { done: this.#engine.renderToImage(chain, { index: 0 }, ran) };
        });
        this.#sourceTurn = turn.catch(() => {});
        return await (
          await turn
        ).done;
      } catch (error) {
        if (losses >= LOSSES_PER_IMAGE || !(await opened.gpu.lostUnder(1000))) throw error;
        ran.length = 0;
        await this.#recover(opened);
      }
    }
  }

  /** Replaces a lost device (once, however many frames met the loss). */
  #recover(lost: OpenedGpu): Promise<void> {
    if (this.#opened !== lost) return this.#recovering ?? Promise.resolve();
    this.#recovering ??= (async () => {
      this.losses++;
      this.#onLoss(`the GPU device was lost; a new one renders the images in flight again`);
      this.#engine.destroy();
      lost.close();
      this.#opened = await openGpu(this.#adapter);
      this.#engine = this.#create(this.#opened.gpu);
      await this.#ml.setGpu(this.#opened.gpu);
    })().finally(() => (this.#recovering = null));
    return this.#recovering;
  }

  close(): void {
    this.#engine.destroy();
    this.#opened.close();
  }
}
