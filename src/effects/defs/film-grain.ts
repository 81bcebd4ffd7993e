import { defineEffect, wholeFrame } from '../effect';
import { mapRgb } from '../image';

const params = {
  amount: { kind: 'number', label: 'Amount', min: 0, max: 100, step: 1, default: 30, unit: '%' },
  size: { kind: 'number', label: 'Grain size', min: 1, max: 8, step: 1, default: 1, unit: 'px' },
  seed: { kind: 'number', label: 'Seed', min: 0, max: 9999, step: 1, default: 1 },
  mono: { kind: 'bool', label: 'Monochrome', default: true },
} as const;

export type Params = { amount: number; size: number; seed: number; mono: boolean };

/** Full-strength grain moves a channel by at most this much (in [0, 1] units). */
export const MAX_STRENGTH = 0.25;

/** PCG hash on u32, exactly as in film-grain.wgsl. */
export function pcg(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** Triangular noise in [-1, 1] for a grain cell, as the shader computes it. */
export function grainNoise(
  cx: number,
  cy: number,
  seed: number,
  frame: number,
  channel: number,
): number {
  const u = (stream: number) => {
    const inner = pcg((Math.imul(frame, 8) + stream) >>> 0);
    const h = pcg((cx + pcg((cy + pcg((seed + inner) >>> 0)) >>> 0)) >>> 0);
    return (h >>> 8) / 16777216;
  };
  return u(channel * 2) + u(channel * 2 + 1) - 1;
}

export const filmGrain = defineEffect({
  id: 'film-grain',
  name: 'Film grain',
  description: 'Deterministic noise: the same seed and frame always give the same grain.',
  category: 'stylise',
  params,
  tolerance: 1,
  cpu: (src, p: Params, frame, _env, region = wholeFrame(src.height)) => {
    const k = (p.amount / 100) * MAX_STRENGTH;
    return mapRgb(
      src,
      (r, g, b, out, x, y) => {
        const cx = Math.floor(x / p.size);
        const cy = Math.floor(y / p.size);
        const n0 = grainNoise(cx, cy, p.seed, frame.index, 0);
        const n1 = p.mono ? n0 : grainNoise(cx, cy, p.seed, frame.index, 1);
        const n2 = p.mono ? n0 : grainNoise(cx, cy, p.seed, frame.index, 2);
        out[0] = r + n0 * k;
        out[1] = g + n1 * k;
        out[2] = b + n2 * k;
      },
      region.top,
    );
  },
});
