// npm run soak:endpoint — the endpoint's memory under the largest requests it accepts: a real
// server with its own model repository takes super-resolution requests up to each model's
// element budget (×4 1024×1024, ×2 2048×2048, in binary), several rounds, and its resident memory
// is sampled after each. Goal (issue 16): RSS after any sequence of accepted requests ≤ 1.5× the
// idle RSS + the largest allowed request's working set (its input and answer, twice: the tensor
// and the response buffer). The server runs with MALLOC_ARENA_MAX=2 as `npm start` and
// `npm run endpoint` start it (set MALLOC_ARENA_MAX to compare). Writes
// bench-results/soak-endpoint.json. SOAK_ROUNDS (default 3).
import { inferImage, metric } from '../../server/test/client';
import { spawnServer } from '../../server/test/spawn';
import { machine, report } from './harness.mjs';

const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 3);
const CASES: [model: string, size: number, scale: number][] = [
  ['esrgan-slim-x4', 256, 4],
  ['esrgan-slim-x4', 1024, 4],
  ['esrgan-slim-x2', 1024, 2],
  ['esrgan-slim-x2', 2048, 2],
];
const MiB = 2 ** 20;

// As `npm start` and `npm run endpoint` start it: two glibc malloc arenas unless set otherwise.
const MALLOC_ARENA_MAX = process.env.MALLOC_ARENA_MAX ?? '2';
const server = await spawnServer(
  ['--rate-limit', '0', '--max-body', '256m', '--timeout', '600000'],
  { MALLOC_ARENA_MAX },
);
const rss = async () => (await metric(server.url, 'triad_process_resident_memory_bytes')) / MiB;
const results: Record<string, unknown>[] = [];
try {
  const idle = await rss();
  let largest = 0;
  const samples: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [model, size, scale] of CASES) {
      const x = new Float32Array(size * size * 3).map((_, i) => (i * 37) % 256);
      const t0 = performance.now();
      const reply = await inferImage(server.url, model, x, [1, size, size, 3]);
      const seconds = (performance.now() - t0) / 1000;
      if (reply.status !== 200) throw new Error(`${model} ${size}: ${reply.status} ${reply.body}`);
      const workingSet = (2 * (x.byteLength + x.byteLength * scale * scale)) / MiB;
      largest = Math.max(largest, workingSet);
      const after = await rss();
      samples.push(after);
      console.log(
        `round ${round} ${model} ${size}×${size}: ${seconds.toFixed(1)} s, RSS ${after.toFixed(0)} MiB`,
      );
      results.push({
        case: `round ${round}: ${model} ${size}×${size}`,
        metric: 'resident memory after',
        unit: 'MiB',
        median: after,
        p95: null,
        n: 1,
        seconds,
        workingSetMiB: workingSet,
      });
    }
  }
  const bound = 1.5 * idle + largest;
  const peak = Math.max(...samples);
  results.unshift({
    case: `${ROUNDS} rounds of ${CASES.length} requests up to each model's budget`,
    metric: 'resident memory',
    unit: 'MiB',
    median: samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)],
    p95: null,
    n: samples.length,
    idleMiB: idle,
    peakAfterMiB: peak,
    boundMiB: bound,
    withinBound: peak <= bound,
  });
} finally {
  await server.stop();
}

report('soak-endpoint', { ...machine(), MALLOC_ARENA_MAX }, results);
