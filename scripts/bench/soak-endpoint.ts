// npm run soak:endpoint — the endpoint's memory under the largest requests it accepts: a real
// server with its own model repository takes super-resolution requests up to each model's
// element budget (×4 1024×1024, ×2 2048×2048, in binary), several rounds, and its resident memory
// is sampled after each. Goal (issue 16): RSS after any sequence of accepted requests ≤ 1.5× the
// idle RSS + the largest allowed request's working set (its input and answer, twice: the tensor
// and the response buffer). Writes bench-results/soak-endpoint.json. SOAK_ROUNDS (default 3).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { binaryBody, bytesOf, metric, raw } from '../../server/test/client';
import { ROOT, spawnServer } from '../../server/test/spawn';

const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 3);
const CASES: [model: string, size: number, scale: number][] = [
  ['esrgan-slim-x4', 256, 4],
  ['esrgan-slim-x4', 1024, 4],
  ['esrgan-slim-x2', 1024, 2],
  ['esrgan-slim-x2', 2048, 2],
];
const MiB = 2 ** 20;

const server = await spawnServer([
  '--rate-limit',
  '0',
  '--max-body',
  '256m',
  '--timeout',
  '600000',
]);
const rss = async () => (await metric(server.url, 'triad_process_resident_memory_bytes')) / MiB;
const results: Record<string, unknown>[] = [];
try {
  const idle = await rss();
  let largest = 0;
  const samples: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [model, size, scale] of CASES) {
      const x = new Float32Array(size * size * 3).map((_, i) => (i * 37) % 256);
      const { body, headerLength } = binaryBody(
        {
          inputs: [
            {
              name: 'input',
              datatype: 'FP32',
              shape: [1, size, size, 3],
              parameters: { binary_data_size: x.byteLength },
            },
          ],
          outputs: [{ name: 'output', parameters: { binary_data: true } }],
        },
        [bytesOf(x)],
      );
      const t0 = performance.now();
      const reply = await raw(server.url, {
        method: 'POST',
        path: `/v2/models/${model}/infer`,
        headers: { 'Inference-Header-Content-Length': String(headerLength) },
        body,
      });
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

const out = {
  benchmark: 'soak-endpoint',
  date: new Date().toISOString(),
  environment: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  },
  results,
};
mkdirSync(`${ROOT}bench-results`, { recursive: true });
writeFileSync(`${ROOT}bench-results/soak-endpoint.json`, JSON.stringify(out, null, 2) + '\n');
console.table(
  results.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 10) / 10 : v]),
    ),
  ),
);
console.log(`wrote ${ROOT}bench-results/soak-endpoint.json`);
