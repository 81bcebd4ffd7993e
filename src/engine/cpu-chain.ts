import type { Chain } from '../effects/chain';
import { findEffect } from '../effects/catalogue';
import type { EffectEnv } from '../effects/effect';
import type { RgbaImage } from '../effects/image';
import type { FrameInfo } from '../gpu/stage';

/** Runs a chain with the CPU reference kernels: the oracle GPU output is compared against. */
export function runChainOnCpu(
  chain: Chain,
  source: RgbaImage,
  frame: FrameInfo,
  env: EffectEnv,
): RgbaImage {
  let image = source;
  for (const stage of chain.stages) {
    if (!stage.enabled) continue;
    const effect = findEffect(stage.effect);
    if (!effect) throw new Error(`unknown effect "${stage.effect}"`);
    image = effect.cpu(image, stage.params, frame, env);
  }
  return image;
}

export interface ImageDiff {
  /** Largest per-channel difference, in 8-bit levels. */
  maxDiff: number;
  /** Channels that differ by more than `tolerance`. */
  over: number;
  /** First pixel over tolerance, for error messages. */
  firstOver: { x: number; y: number; a: number[]; b: number[] } | null;
}

export function diffImages(a: RgbaImage, b: RgbaImage, tolerance: number): ImageDiff {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`size mismatch: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  }
  let maxDiff = 0;
  let over = 0;
  let firstOver: ImageDiff['firstOver'] = null;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    if (d > maxDiff) maxDiff = d;
    if (d > tolerance) {
      over++;
      if (!firstOver) {
        const p = i >> 2;
        const at = p * 4;
        firstOver = {
          x: p % a.width,
          y: Math.floor(p / a.width),
          a: Array.from(a.data.slice(at, at + 4)),
          b: Array.from(b.data.slice(at, at + 4)),
        };
      }
    }
  }
  return { maxDiff, over, firstOver };
}
