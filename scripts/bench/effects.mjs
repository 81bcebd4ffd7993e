// npm run bench:effects — each effect alone and a six-effect chain on a 1920×1080 photo, timed
// from submit to GPU completion per frame, after warm-up. Writes bench-results/effects.json.
import { openApp, percentile, report } from './harness.mjs';

const [WIDTH, HEIGHT] = [1920, 1080]; // EFFECT_BENCH_SIZE in src/perf/effect-bench.ts
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const FRAMES = Number(process.env.BENCH_FRAMES ?? 30);
/** Only cases whose name matches this regular expression (all by default). */
const ONLY = new RegExp(process.env.BENCH_CASES ?? '.');

const app = await openApp();
try {
  const { page } = app;
  // The cases live in src/perf/effect-bench.ts (`triad bench --effects` runs the same ones).
  const cases = await page.evaluate(() => window.__triad.effectBenchCases());

  const results = [];
  for (const { name, stages } of cases.filter(({ name }) => ONLY.test(name))) {
    const run = await page.evaluate((req) => window.__triad.bench(req), {
      imageUrl: '/__fixtures/washington.jpg',
      size: [WIDTH, HEIGHT],
      stages,
      warmup: WARMUP,
      frames: FRAMES,
    });
    results.push({
      case: name,
      metric: 'frame time',
      unit: 'ms',
      median: percentile(run.ms, 50),
      p95: percentile(run.ms, 95),
      n: run.ms.length,
      submitsPerFrame: run.submitsPerFrame,
      readbacksPerFrame: run.readbacksPerFrame,
      width: WIDTH,
      height: HEIGHT,
    });
    process.stdout.write(`${name}: ${percentile(run.ms, 50).toFixed(1)} ms\n`);
  }
  report('effects', app.environment, results);
} finally {
  await app.close();
}
