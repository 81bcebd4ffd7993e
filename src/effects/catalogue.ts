import type { AnyEffect, CatalogueEntry, MlEffectDefinition } from './effect';
import { ML_EFFECTS } from './ml-effects';
import { findCustomEffect } from './custom/registry';
import { bloom } from './defs/bloom';
import { chromaKey } from './defs/chroma-key';
import { chromaticAberration } from './defs/chromatic-aberration';
import { colourAdjust } from './defs/colour-adjust';
import { curves } from './defs/curves';
import { denoise } from './defs/denoise';
import { filmGrain } from './defs/film-grain';
import { gaussianBlur } from './defs/gaussian-blur';
import { grayscale } from './defs/grayscale';
import { halftone } from './defs/halftone';
import { invert } from './defs/invert';
import { levels } from './defs/levels';
import { lut3d } from './defs/lut-3d';
import { pixelate } from './defs/pixelate';
import { posterize } from './defs/posterize';
import { sobel } from './defs/sobel';
import { tiltShift } from './defs/tilt-shift';
import { unsharpMask } from './defs/unsharp-mask';
import { vignette } from './defs/vignette';

/** Every effect the app offers, in the order the picker lists them. */
export const EFFECTS: readonly AnyEffect[] = [
  colourAdjust,
  levels,
  curves,
  grayscale,
  invert,
  lut3d,
  posterize,
  gaussianBlur,
  unsharpMask,
  sobel,
  pixelate,
  vignette,
  chromaticAberration,
  filmGrain,
  chromaKey,
  halftone,
  tiltShift,
  denoise,
  bloom,
];

const byId = new Map(EFFECTS.map((e) => [e.id, e]));
const mlById = new Map(ML_EFFECTS.map((e) => [e.id, e]));

/** A pixel effect (WGSL + CPU kernels, or a custom WGSL effect) by id. */
export function findEffect(id: string): AnyEffect | undefined {
  return byId.get(id) ?? findCustomEffect(id)?.definition;
}

/** Whether an AI effect runs with the frame on the GPU side (segmentation: resize, composite). */
export const runsOnGpuSide = (id: string) => findMlEffect(id)?.task === 'segmentation';

export function findMlEffect(id: string): MlEffectDefinition | undefined {
  return mlById.get(id);
}

/** Any catalogue entry, pixel or AI, by id (names, parameters). */
export function findEntry(id: string): CatalogueEntry | undefined {
  return findEffect(id) ?? mlById.get(id);
}

/** Case-insensitive search over names, ids, categories and descriptions. */
export function searchEffects(query: string): CatalogueEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return [...EFFECTS, ...ML_EFFECTS].filter((e) => {
    const text = `${e.name} ${e.id} ${e.category} ${e.description}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
