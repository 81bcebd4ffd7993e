import type { FrameInfo } from '../gpu/stage';
import type { RgbaImage } from './image';
import type { Lut } from './lut/lut';
import type { ParamSchema, ParamsOf } from './params';

export type EffectCategory = 'colour' | 'detail' | 'stylise' | 'lens' | 'key' | 'custom';

/** What kernels may look up besides their own parameters. */
export interface EffectEnv {
  lut(id: string): Lut | undefined;
  /** Images the user dropped for effects that take one (background replace). */
  image?(id: string): RgbaImage | undefined;
  /** Asks for the frame to be drawn again (a custom effect's kernel finished compiling). */
  redraw?(): void;
  /**
   * Why a custom effect's code may not run now (not accepted by its user, or stopped for taking
   * too long), or null. Absent: all may (the app asks its user first).
   */
  blocked?(effectId: string): string | null;
}

/**
 * Which rows of the full frame a CPU kernel was given. Row bands for the worker pool are run with
 * their halo rows; position-dependent effects (vignette, grain, …) use `top` and `fullHeight` so a
 * band computes exactly what the whole frame would.
 */
export interface Region {
  top: number;
  fullHeight: number;
}

export function wholeFrame(height: number): Region {
  return { top: 0, fullHeight: height };
}

/**
 * A catalogue entry: parameters and the CPU kernel, the reference the GPU kernel is tested against
 * and the CPU worker's implementation. Its GPU side is in src/effects/gpu/ (`GPU_EFFECTS`), apart,
 * so that the worker bundles no GPU code.
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
  cpu(
    src: RgbaImage,
    params: ParamsOf<S>,
    frame: FrameInfo,
    env: EffectEnv,
    region?: Region,
  ): RgbaImage;
  /** Rows of context a band needs above and below for exact results (default 0). */
  halo?(params: ParamsOf<S>): number;
  /** Bands must start on multiples of this many rows (default 1). */
  bandAlign?(params: ParamsOf<S>): number;
}

/** Erases the schema type so definitions of different effects fit in one catalogue. */
export type AnyEffect = EffectDefinition<ParamSchema>;

export function defineEffect<S extends ParamSchema>(def: EffectDefinition<S>): AnyEffect {
  return def as unknown as AnyEffect;
}

/**
 * An AI effect: its work is a model run by an ML target (src/ml), not a pixel kernel, so it has no
 * WGSL kernel or CPU reference of its own; the engine hands it to its ML runner.
 */
export interface MlEffectDefinition {
  kind: 'ml';
  id: string;
  name: string;
  description: string;
  category: 'ai';
  params: ParamSchema;
  /** The model it runs: an id in public/models/manifest.json. */
  model: string;
  /**
   * What the model does: a person mask the effect composites with (the frame keeps its size and
   * stays where it is), or super-resolution (the frame grows `scale` times).
   */
  task: 'segmentation' | 'super-resolution';
  scale?: number;
}

/** Anything the picker offers and a chain may hold. */
export type CatalogueEntry = AnyEffect | MlEffectDefinition;

export function isMlEffect(entry: CatalogueEntry | undefined): entry is MlEffectDefinition {
  return !!entry && 'kind' in entry && entry.kind === 'ml';
}
