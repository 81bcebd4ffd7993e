import * as Comlink from 'comlink';
import type { BandResult, CpuWorkerApi } from './protocol';
import { findEffect } from '../effects/catalogue';
import type { EffectEnv } from '../effects/effect';
import { createImage, type RgbaImage } from '../effects/image';
import type { Lut } from '../effects/lut/lut';
import type { LutRef, ParamValues } from '../effects/params';
import type { FrameInfo } from '../gpu/stage';
import { bandInput, effectAlign, effectHalo, placeBand, planBands } from './bands';
import { WorkerPool, type PoolOptions, type TaskOptions } from './pool';

export function createCpuWorker(): Worker {
  return new Worker(new URL('../../workers/cpu.worker.ts', import.meta.url), {
    type: 'module',
    name: 'triad-cpu',
  });
}

export interface CpuRunOptions extends Pick<TaskOptions, 'priority' | 'signal'> {
  /** How many row bands to split the frame into (default: one per worker). */
  bands?: number;
}

/**
 * The one main-thread owner of the CPU workers. Runs an effect on a frame by splitting it into
 * row bands (with halo rows for neighbourhood effects), one task per band; pixels go to the
 * workers and come back as transferred buffers.
 */
export class CpuPool {
  #pool: WorkerPool<CpuWorkerApi>;
  readonly #options: Partial<PoolOptions>;

  constructor(size: number, options: Partial<PoolOptions> = {}) {
    this.#options = options;
    this.#pool = this.#create(size);
  }

  #create(size: number): WorkerPool<CpuWorkerApi> {
    return new WorkerPool<CpuWorkerApi>({
      size,
      create: createCpuWorker,
      timeoutMs: 30_000,
      ...this.#options,
    });
  }

  get pool(): WorkerPool<CpuWorkerApi> {
    return this.#pool;
  }

  /** Changes the worker count; tasks still running on the old workers fail (not retried). */
  resize(size: number): void {
    if (size === this.#pool.size) return;
    const old = this.#pool;
    this.#pool = this.#create(size);
    old.destroy();
  }

  get size(): number {
    return this.pool.size;
  }

  async runEffect(
    effectId: string,
    image: RgbaImage,
    params: ParamValues,
    frame: FrameInfo,
    env: EffectEnv,
    options: CpuRunOptions = {},
  ): Promise<RgbaImage> {
    const effect = findEffect(effectId);
    if (!effect) throw new Error(`unknown effect "${effectId}"`);
    const luts: Lut[] = [];
    for (const [name, spec] of Object.entries(effect.params)) {
      const ref = params[name] as LutRef | null;
      const lut = spec.kind === 'lut' && ref ? env.lut(ref.id) : undefined;
      if (lut) luts.push(lut);
    }
    const bands = planBands(
      image.height,
      options.bands ?? this.pool.size,
      effectHalo(effect, params),
      effectAlign(effect, params),
    );
    const output = createImage(image.width, image.height);
    await Promise.all(
      bands.map(async (band) => {
        const result: BandResult = await this.pool.run(
          (remote) => {
            // Built per attempt: a retry needs a fresh buffer, the first went to the dead worker.
            const input = bandInput(image, band);
            const pixels = input.data.buffer;
            return remote.runBand(
              Comlink.transfer(
                {
                  effect: effectId,
                  params,
                  frame: frame.index,
                  width: image.width,
                  fullHeight: image.height,
                  band,
                  pixels,
                  luts,
                },
                [pixels],
              ),
            );
          },
          { ...options, label: `${effect.name} rows ${band.top}–${band.bottom}` },
        );
        const rows = band.bottom + band.haloBottom - (band.top - band.haloTop);
        placeBand(output, band, {
          width: image.width,
          height: rows,
          data: new Uint8ClampedArray(result.pixels),
        });
      }),
    );
    return output;
  }

  destroy(): void {
    this.pool.destroy();
  }
}
