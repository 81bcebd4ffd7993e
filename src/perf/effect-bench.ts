// bench:effects' cases and its timing loop, shared by the browser benchmark (through the test
// API) and `triad bench --effects` (Node, Dawn): the same chains timed the same way anywhere.
import type { Chain } from '../effects/chain';
import { isCustomEffectId } from '../effects/custom/registry';
import { CUSTOM_TEMPLATE } from '../effects/custom/template';
import type { Engine } from '../engine';

/** The frame size every case runs at (a photo scaled to it). */
export const EFFECT_BENCH_SIZE: [number, number] = [1920, 1080];

/** Levels on every channel, and an S curve: as costly as these effects get (both are per pixel). */
const LEVEL = { inBlack: 12, inWhite: 235, gamma: 1.3, outBlack: 6, outWhite: 250 };
const LEVELS = { master: LEVEL, r: LEVEL, g: LEVEL, b: LEVEL };
const S = [
  [0, 0],
  [64, 46],
  [128, 132],
  [192, 214],
  [255, 255],
];
const S_CURVE = { master: S, r: S, g: S, b: S };

/** The benchmark's 33³ LUT as .cube text (a channel rotation: every entry moves). */
export function benchLutCube(n = 33): string {
  const rows = [`TITLE "bench"`, `LUT_3D_SIZE ${n}`];
  for (let b = 0; b < n; b++)
    for (let g = 0; g < n; g++)
      for (let r = 0; r < n; r++)
        rows.push(
          `${(g / (n - 1)).toFixed(5)} ${(b / (n - 1)).toFixed(5)} ${(r / (n - 1)).toFixed(5)}`,
        );
  return rows.join('\n');
}

export interface EffectBenchCase {
  name: string;
  stages: { effect: string; params?: Record<string, unknown>; code?: string }[];
}

/** Every effect alone (with parameters that make it work), then a six-effect chain. */
export function effectBenchCases(lut: { id: string; name: string }): EffectBenchCase[] {
  const one = (name: string, effect: string, params?: Record<string, unknown>) => ({
    name,
    stages: [{ effect, params }],
  });
  return [
    one('colour-adjust', 'colour-adjust', { contrast: 20, saturation: 30, hue: 15, gamma: 1.2 }),
    one('grayscale', 'grayscale'),
    one('invert', 'invert'),
    one('lut-3d (33³)', 'lut-3d', { lut }),
    one('posterize', 'posterize'),
    one('gaussian-blur r=8', 'gaussian-blur', { radius: 8 }),
    one('gaussian-blur r=32', 'gaussian-blur', { radius: 32 }),
    one('unsharp-mask', 'unsharp-mask'),
    one('sobel', 'sobel'),
    one('pixelate', 'pixelate'),
    one('vignette', 'vignette'),
    one('chromatic-aberration', 'chromatic-aberration'),
    one('film-grain', 'film-grain'),
    one('chroma-key', 'chroma-key'),
    one('halftone (mono)', 'halftone'),
    one('halftone (CMYK)', 'halftone', { cmyk: true }),
    one('tilt-shift', 'tilt-shift'),
    one('denoise r=3', 'denoise'),
    one('bloom', 'bloom'),
    one('levels', 'levels', { levels: LEVELS }),
    one('curves (S, 5 points)', 'curves', { curves: S_CURVE }),
    // The custom WGSL effect "New effect…" starts from (a glow around a point, per pixel).
    { name: 'custom (the template)', stages: [{ effect: 'custom', code: CUSTOM_TEMPLATE }] },
    {
      name: 'chain of 6',
      stages: [
        { effect: 'colour-adjust', params: { contrast: 15, saturation: 20 } },
        { effect: 'gaussian-blur', params: { radius: 4 } },
        { effect: 'unsharp-mask' },
        { effect: 'vignette' },
        { effect: 'chromatic-aberration' },
        { effect: 'film-grain' },
      ],
    },
  ];
}

export interface ChainTiming {
  /** Each timed frame, from encoding to the GPU's completion (ms). */
  ms: number[];
  submitsPerFrame: number;
  readbacksPerFrame: number;
}

/**
 * Times `chain` on the engine's source, one frame at a time (no overlap: the chain's GPU
 * latency), after `warmup` frames (one at least with a custom stage). A custom stage that passes
 * frames through (its kernel did not build) is an error: that would time a copy.
 */
export async function timeChain(
  engine: Engine,
  chain: Chain,
  warmup: number,
  frames: number,
): Promise<ChainTiming> {
  const custom = chain.stages.some((s) => isCustomEffectId(s.effect));
  // A custom stage takes its (built) kernel at its first frame: that one is never timed.
  for (let i = 0; i < (custom ? Math.max(1, warmup) : warmup); i++)
    await engine.run(chain, { index: i });
  if (custom) {
    const [out, input] = [
      await engine.renderToImage(chain, { index: 0 }),
      await engine.readSource(),
    ];
    if (out.data.every((v, i) => v === input.data[i]))
      throw new Error('the custom effect did not change the picture: it did not run');
  }
  const { counters } = engine.gpu;
  const [submits, readbacks] = [counters.submits, counters.readbacks];
  const ms: number[] = [];
  for (let i = 0; i < frames; i++) {
    const t0 = performance.now();
    await engine.run(chain, { index: i });
    ms.push(performance.now() - t0);
  }
  return {
    ms,
    submitsPerFrame: (counters.submits - submits) / frames,
    readbacksPerFrame: (counters.readbacks - readbacks) / frames,
  };
}
