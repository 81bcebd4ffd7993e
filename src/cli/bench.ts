// `triad bench --effects`: bench:effects without a browser — the same cases
// (src/perf/effect-bench.ts) timed the same way on the app's engine on Dawn, written in the one
// benchmark shape (docs/BENCHMARKS.md) with `"runtime": "node-dawn"` and the adapter's name.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbaImage } from '../core/image';
import { chainFromStages } from '../effects/chain';
import { buildCustomKernel } from '../effects/gpu/custom';
import { packLut } from '../effects/lut/lut';
import { parseCube } from '../effects/lut/cube';
import { Engine } from '../engine';
import { EFFECT_BENCH_SIZE, benchLutCube, effectBenchCases, timeChain } from '../perf/effect-bench';
import { openGpu, type AdapterChoice } from './gpu';
import { machine } from './host';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface EffectBenchOptions {
  adapter: AdapterChoice;
  warmup: number;
  frames: number;
  /** Only cases whose name matches. */
  only: RegExp;
  /** Where the JSON goes. */
  out: string;
  /** The frame (default: `benchPhoto()`; the device pack carries it decoded). */
  source?: RgbaImage;
}

export const DEFAULT_EFFECTS_OUT = join(ROOT, 'bench-results/effects-node.json');

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const [lo, hi] = [Math.floor(rank), Math.ceil(rank)];
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
};

/**
 * The benchmark's frame: the browser benchmark's photo (e2e/fixtures/washington.jpg) stretched
 * to `EFFECT_BENCH_SIZE`, as `bitmapFromUrl` stretches it there.
 */
export async function benchPhoto(): Promise<RgbaImage> {
  const [width, height] = EFFECT_BENCH_SIZE;
  const { default: sharp } = await import('sharp');
  const { data } = await sharp(join(ROOT, 'e2e/fixtures/washington.jpg'))
    .resize(width, height, { fit: 'fill' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width, height, data: new Uint8ClampedArray(data) };
}

/** Runs the cases; `say` gets a line per case. Resolves with the file written. */
export async function benchEffects(
  options: EffectBenchOptions,
  say: (line: string) => void,
): Promise<{ file: string; results: Record<string, unknown>[] }> {
  const source = options.source ?? (await benchPhoto());
  const { width, height } = source;
  const lut = packLut(parseCube(benchLutCube()), 'bench.cube');
  const opened = await openGpu(options.adapter);
  const results: Record<string, unknown>[] = [];
  try {
    const engine = new Engine(opened.gpu, { lut: (id) => (id === lut.id ? lut : undefined) });
    try {
      engine.setSource(source);
      for (const { name, stages } of effectBenchCases(lut)) {
        if (!options.only.test(name)) continue;
        // A custom stage's kernel is built first (cached on the device), as the browser does.
        for (const s of stages) if (s.code) await buildCustomKernel(opened.gpu.device, s.code);
        const run = await timeChain(
          engine,
          chainFromStages(stages),
          options.warmup,
          options.frames,
        );
        const median = percentile(run.ms, 50);
        results.push({
          case: name,
          metric: 'frame time',
          unit: 'ms',
          median,
          p95: percentile(run.ms, 95),
          n: run.ms.length,
          submitsPerFrame: run.submitsPerFrame,
          readbacksPerFrame: run.readbacksPerFrame,
          width,
          height,
        });
        say(`${name}: ${median.toFixed(1)} ms`);
      }
    } finally {
      engine.destroy();
    }
    const environment = {
      runtime: 'node-dawn',
      adapter: { name: opened.name, backend: opened.backend, ...opened.gpu.adapter },
      ...machine(),
    };
    const out = { benchmark: 'effects', date: new Date().toISOString(), environment, results };
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(out, null, 2)}\n`);
    return { file: options.out, results };
  } finally {
    opened.close();
  }
}
