import type { GpuContext } from '../gpu/device';
import type { FrameInfo, GpuStage } from '../gpu/stage';
import type { RgbaImage } from './image';
import type { Lut } from './lut/lut';
import type { ParamSchema, ParamsOf } from './params';

export type EffectCategory = 'colour' | 'detail' | 'stylise' | 'lens';

/** What kernels may look up besides their own parameters. */
export interface EffectEnv {
  lut(id: string): Lut | undefined;
}

/**
 * A catalogue entry: parameters, and one implementation per kind of target. The CPU kernel is
 * the reference the GPU kernel is tested against, and later the CPU worker's implementation.
 */
export interface EffectDefinition<S extends ParamSchema = ParamSchema> {
  id: string;
  name: string;
  description: string;
  category: EffectCategory;
  params: S;
  /**
   * Largest per-channel difference (in 8-bit levels) allowed between the GPU and CPU kernels:
   * 1 for per-pixel colour operations, 2 for neighbourhood and multi-pass ones.
   */
  tolerance: 1 | 2;
  cpu(src: RgbaImage, params: ParamsOf<S>, frame: FrameInfo, env: EffectEnv): RgbaImage;
  createGpuStage(gpu: GpuContext, env: EffectEnv): GpuStage<ParamsOf<S>>;
}

/** Erases the schema type so definitions of different effects fit in one catalogue. */
export type AnyEffect = EffectDefinition<ParamSchema>;

export function defineEffect<S extends ParamSchema>(def: EffectDefinition<S>): AnyEffect {
  return def as unknown as AnyEffect;
}
