// npm run bench:cpu — the CPU worker pool at 1920×1080: one effect on 1…N workers (the scaling
// curve), moving a frame to a worker and back by transfer vs by copy, and the cost of the scopes.
// Writes bench-results/cpu.json.
import { openApp, percentile, report } from './harness.mjs';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);

const app = await openApp();
try {
  const { page, environment } = app;
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const maxWorkers = Number(process.env.BENCH_MAX_WORKERS ?? Math.max(4, cores + 1));
  environment.hardwareConcurrency = cores;
  const runs = await page.evaluate(
    async ({ frames, warmup, maxWorkers }) => {
      const {
        CpuPool,
        WorkerPool,
        createCpuWorker,
        transfer,
        imageFromUrl,
        computeScopes,
        resizeArea,
      } = window.__triad.lib;
      const image = await imageFromUrl('/__fixtures/washington.jpg', [1920, 1080]);
      const env = { lut: () => undefined };
      const time = async (fn, n = frames, w = warmup) => {
        for (let i = 0; i < w; i++) await fn(i);
        const ms = [];
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          await fn(i);
          ms.push(performance.now() - t0);
        }
        return ms;
      };
      const results = [];
      for (const [name, effect, params] of [
        ['colour-adjust', 'colour-adjust', { contrast: 20, saturation: 30, hue: 15 }],
        ['gaussian-blur r=4', 'gaussian-blur', { radius: 4 }],
      ]) {
        for (let workers = 1; workers <= maxWorkers; workers++) {
          const cpu = new CpuPool(workers);
          const ms = await time((i) => cpu.runEffect(effect, image, params, { index: i }, env));
          cpu.destroy();
          results.push({
            case: `${name} on ${workers} worker${workers > 1 ? 's' : ''}`,
            group: 'scaling',
            workers,
            ms,
          });
        }
      }
      // One 1080p frame (8.3 MB) to a worker and back: transferred both ways vs structured-clone copies.
      const pool = new WorkerPool({ size: 1, create: createCpuWorker, timeoutMs: 60_000 });
      const bytes = image.data.byteLength;
      results.push({
        case: 'frame round trip, transferred',
        group: 'transfer',
        ms: await time(() => {
          const buffer = new ArrayBuffer(bytes);
          return pool.run((remote) => remote.echo(transfer(buffer, [buffer])));
        }, 30),
      });
      results.push({
        case: 'frame round trip, copied',
        group: 'transfer',
        ms: await time(() => pool.run((remote) => remote.echoCopy(new ArrayBuffer(bytes))), 30),
      });
      // Scopes: downscale on the CPU (the app does it on the GPU) and compute, in a worker.
      const preview = resizeArea(image, 320, 180);
      results.push({
        case: 'scopes of a 320×180 preview (worker round trip)',
        group: 'scopes',
        ms: await time(() => {
          const pixels = preview.data.slice().buffer;
          return pool.run((remote) =>
            remote.scopes(transfer({ width: 320, height: 180, pixels, columns: 256 }, [pixels])),
          );
        }, 30),
      });
      results.push({
        case: 'scopes of the full 1920×1080 frame (main thread)',
        group: 'scopes',
        ms: await time(() => computeScopes(image), 5, 1),
      });
      pool.destroy();
      return results;
    },
    { frames: FRAMES, warmup: WARMUP, maxWorkers },
  );
  const oneWorker = {};
  for (const r of runs)
    if (r.workers === 1) oneWorker[r.case.replace(/ on 1 worker$/, '')] = percentile(r.ms, 50);
  const results = runs.map((r) => {
    const median = percentile(r.ms, 50);
    const base = r.workers ? oneWorker[r.case.replace(/ on \d+ workers?$/, '')] : undefined;
    return {
      case: r.case,
      metric: 'time per frame',
      unit: 'ms',
      median,
      p95: percentile(r.ms, 95),
      n: r.ms.length,
      ...(r.workers ? { workers: r.workers, speedupVsOneWorker: base / median } : {}),
    };
  });
  report('cpu', environment, results);
} finally {
  await app.close();
}
