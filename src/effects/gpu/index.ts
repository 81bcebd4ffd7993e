import type { GpuContext } from '../../gpu/device';
import type { GpuStage } from '../../gpu/stage';
import type { EffectEnv } from '../effect';
import { bloomGpu } from './bloom';
import { findCustomEffect } from '../custom/registry';
import { chromaKeyGpu } from './chroma-key';
import { createCustomStage } from './custom';
import { chromaticAberrationGpu } from './chromatic-aberration';
import { colourAdjustGpu } from './colour-adjust';
import { curvesGpu } from './curves';
import { denoiseGpu } from './denoise';
import { filmGrainGpu } from './film-grain';
import { gaussianBlurGpu } from './gaussian-blur';
import type { GpuEffect } from './gpu-effect';
import { grayscaleGpu } from './grayscale';
import { halftoneGpu } from './halftone';
import { invertGpu } from './invert';
import { levelsGpu } from './levels';
import { lut3dGpu } from './lut-3d';
import { pixelateGpu } from './pixelate';
import { posterizeGpu } from './posterize';
import { sobelGpu } from './sobel';
import { tiltShiftGpu } from './tilt-shift';
import { unsharpMaskGpu } from './unsharp-mask';
import { vignetteGpu } from './vignette';

export type { GpuEffect } from './gpu-effect';

/** Every pixel effect's GPU side (src/effects/gpu/gpu.test.ts: one per catalogue entry). */
export const GPU_EFFECTS: readonly GpuEffect[] = [
  invertGpu,
  grayscaleGpu,
  colourAdjustGpu,
  posterizeGpu,
  gaussianBlurGpu,
  unsharpMaskGpu,
  sobelGpu,
  pixelateGpu,
  vignetteGpu,
  chromaticAberrationGpu,
  filmGrainGpu,
  lut3dGpu,
  chromaKeyGpu,
  halftoneGpu,
  tiltShiftGpu,
  denoiseGpu,
  bloomGpu,
  levelsGpu,
  curvesGpu,
];

/**
 * The GPU stage of the pixel effect `effect` (an id from the catalogue or a custom effect's), on
 * `gpu`. A custom stage is given the stage it replaces (`previous`, the same chain stage's older
 * code) to draw with until it compiles; it destroys it. Other stages leave `previous` alone.
 */
export function createGpuStage(
  effect: string,
  gpu: GpuContext,
  env: EffectEnv,
  previous: GpuStage<Record<string, unknown>> | null = null,
): GpuStage<Record<string, unknown>> {
  const custom = findCustomEffect(effect);
  if (custom) return createCustomStage(gpu, env, custom, previous);
  const found = GPU_EFFECTS.find((g) => g.effect === effect);
  if (!found) throw new Error(`effect "${effect}" has no GPU stage`);
  return found.create(gpu, env);
}
