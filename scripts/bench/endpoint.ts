// npm run bench:endpoint — the inference endpoint as a real process on loopback, through the app's
// own client (src/ml/remote): throughput and p50/p95 latency at concurrency 1, 8 and 32; dynamic
// batching on vs off; JSON vs binary tensors for a 1080p frame; the server's overhead against
// onnxruntime-node in-process on the same model; the server's resident memory before and after
// 10 000 requests; health probe latency while large requests are served. Writes
// bench-results/endpoint.json. BENCH_QUICK=1 runs a small version.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { DEFAULT_ENDPOINT, OipClient, type RoundTrip } from '../../src/ml/remote/client';
import { encodeRequest, type Tensor } from '../../src/ml/remote/codec';
import { identityConfig, identityModel, makeRepository } from '../../server/test/models';
import { ROOT, spawnServer, type SpawnedServer } from '../../server/test/spawn';
import { machine, report } from './harness.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const MODEL = 'esrgan-slim-x2';
const SIZE = 32; // ESRGAN input tiles of 32×32: small enough to run many on 2 cores
const results: Record<string, unknown>[] = [];

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

function tile(seed: number): Tensor {
  const data = new Float32Array(SIZE * SIZE * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seed * 13) % 256;
  return { name: 'input', datatype: 'FP32', shape: [1, SIZE, SIZE, 3], data };
}

/** `total` requests, `concurrency` in flight at a time; returns latencies and the wall time. */
async function load(client: OipClient, model: string, total: number, concurrency: number) {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        await client.infer(model, [tile(i)]);
        latencies.push(performance.now() - s);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - t0) / 1000 };
}

interface Run {
  latencies: number[];
  seconds: number;
  rssBefore: number;
  rssAfter: number;
}

/** A gauge of the server's own /metrics (process memory). */
async function gauge(server: SpawnedServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}
const residentBytes = (server: SpawnedServer) =>
  gauge(server, 'triad_process_resident_memory_bytes');

const client = (url: string, mode: 'binary' | 'json' = 'binary') =>
  new OipClient({ ...DEFAULT_ENDPOINT, url, mode, timeoutMs: 120_000 });

// 1. Throughput and latency by concurrency, batching on (the repository's config) and off (the
// same without dynamic_batching): each server holds that one model, so nothing else differs.
const shipped = JSON.parse(
  readFileSync(`${ROOT}server/model-repository/${MODEL}/config.json`, 'utf8'),
) as Record<string, unknown>;
const repository = (batching: boolean) =>
  makeRepository({
    [MODEL]: {
      config: {
        ...shipped,
        model_file: `${ROOT}public/models/${MODEL}/model.onnx`,
        max_queue_size: 256,
        dynamic_batching: batching ? shipped.dynamic_batching : undefined,
      },
    },
  });
const repositories = { on: repository(true), off: repository(false) };
// Both servers run side by side and take turns, round by round (the order alternating), so
// the machine's drift falls on both alike; the ratio is the median of the rounds' ratios.
const ROUNDS = QUICK ? 2 : 6; // even: each server goes first equally often
const servers = {
  on: await spawnServer(['--repository', repositories.on.dir, '--rate-limit', '0']),
  off: await spawnServer(['--repository', repositories.off.dir, '--rate-limit', '0']),
};
try {
  for (const server of Object.values(servers)) await load(client(server.url), MODEL, 8, 4); // warm-up
  for (const concurrency of [1, 8, 32]) {
    const total = QUICK ? concurrency * 2 : Math.max(256, concurrency * 8);
    const runs = { on: [] as Run[], off: [] as Run[] };
    for (let round = 0; round < ROUNDS; round++)
      for (const batching of round % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const server = servers[batching];
        const rssBefore = await residentBytes(server);
        const run = await load(client(server.url), MODEL, total, concurrency);
        runs[batching].push({ ...run, rssBefore, rssAfter: await residentBytes(server) });
      }
    for (const batching of ['on', 'off'] as const) {
      const rs = runs[batching];
      const latencies = rs.flatMap((r) => r.latencies);
      results.push({
        case: `${MODEL} ${SIZE}×${SIZE}, batching ${batching}, concurrency ${concurrency}`,
        metric: 'latency',
        unit: 'ms',
        median: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        n: latencies.length,
        throughputPerS: latencies.length / rs.reduce((t, r) => t + r.seconds, 0),
        rssBeforeMiB: rs[0].rssBefore / 2 ** 20,
        rssAfterMiB: rs[rs.length - 1].rssAfter / 2 ** 20,
      });
    }
    // Batching's gain (or cost): each round's ratio of rates, and their median.
    const ratios = runs.on.map((r, i) => runs.off[i].seconds / r.seconds); // same requests
    results.push({
      case: `${MODEL} ${SIZE}×${SIZE}, batching on / off, concurrency ${concurrency}`,
      metric: 'throughput ratio',
      unit: '×',
      median: percentile(ratios, 50),
      p95: null,
      n: ratios.length,
      rounds: ratios,
    });
  }
} finally {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  for (const r of Object.values(repositories)) r.remove();
}

// 2. JSON vs binary for a 1080p RGB frame: client encode/decode cost, body size, round trip
// through an identity model.
const frame: Tensor = {
  name: 'x',
  datatype: 'FP32',
  shape: [1080, 1920, 3],
  data: Float32Array.from({ length: 1080 * 1920 * 3 }, (_, i) => (i % 256) / 255),
};
const identity = makeRepository({
  identity: {
    config: identityConfig('FP32', [1080, 1920, 3]),
    model: identityModel('FP32', [1080, 1920, 3]),
  },
});
const idServer = await spawnServer([
  '--repository',
  identity.dir,
  '--max-body',
  '512m',
  '--max-json-elements',
  String(1080 * 1920 * 3),
  '--rate-limit',
  '0',
]);
try {
  for (const mode of ['binary', 'json'] as const) {
    const runs = QUICK ? 1 : 3;
    const trips: RoundTrip[] = [];
    const totals: number[] = [];
    const c = client(idServer.url, mode);
    await c.infer('identity', [frame]); // warm-up
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      trips.push((await c.infer('identity', [frame])).timing);
      totals.push(performance.now() - t0);
    }
    const median = (key: keyof RoundTrip) =>
      percentile(
        trips.map((t) => t[key]),
        50,
      );
    results.push({
      case: `1080p RGB FP32 frame through an identity model, ${mode}`,
      metric: 'round trip',
      unit: 'ms',
      median: percentile(totals, 50),
      p95: percentile(totals, 95),
      requestMiB: encodeRequest([frame], { binary: mode === 'binary' }).body.byteLength / 2 ** 20,
      serializeMs: median('serializeMs'),
      networkQueueMs: median('networkQueueMs'),
      computeMs: median('computeMs'),
      deserializeMs: median('deserializeMs'),
      n: runs,
    });
  }
} finally {
  await idServer.stop();
  identity.remove();
}

// 3. Server overhead: the same model and input in-process (onnxruntime-node) vs through the server.
{
  const session = await ort.InferenceSession.create(`${ROOT}public/models/${MODEL}/model.onnx`);
  const input = tile(1);
  const feeds = { input: new ort.Tensor('float32', input.data as Float32Array, input.shape) };
  for (let i = 0; i < 5; i++) await session.run(feeds);
  const local: number[] = [];
  for (let i = 0; i < (QUICK ? 10 : 100); i++) {
    const s = performance.now();
    await session.run(feeds);
    local.push(performance.now() - s);
  }
  await session.release();
  const server = await spawnServer(['--rate-limit', '0']);
  try {
    const c = client(server.url);
    await load(c, MODEL, 5, 1);
    const { latencies } = await load(c, MODEL, QUICK ? 10 : 100, 1);
    results.push({
      case: `${MODEL} ${SIZE}×${SIZE}: in-process onnxruntime-node vs the endpoint (concurrency 1)`,
      metric: 'latency overhead',
      unit: 'ms',
      median: percentile(latencies, 50) - percentile(local, 50),
      p95: percentile(latencies, 95) - percentile(local, 95),
      inProcessP50: percentile(local, 50),
      endpointP50: percentile(latencies, 50),
      n: latencies.length,
    });
  } finally {
    await server.stop();
  }
}

// 4. Resident memory before and after 10 000 requests (a small identity model: the server's own
// per-request costs, not the model's).
{
  const small = makeRepository({
    tiny: { config: identityConfig('FP32', [64]), model: identityModel('FP32', [64]) },
  });
  const server = await spawnServer(['--repository', small.dir, '--rate-limit', '0']);
  try {
    const c = client(server.url);
    const x: Tensor = { name: 'x', datatype: 'FP32', shape: [64], data: new Float32Array(64) };
    const run = async (n: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next++ < n) await c.infer('tiny', [x]);
        }),
      );
    };
    await run(500);
    const before = await residentBytes(server);
    const total = QUICK ? 1000 : 10_000;
    // Sampled at each quarter: bounded memory levels off instead of climbing with the count.
    const quarters: number[] = [];
    const t0 = performance.now();
    for (let q = 0; q < 4; q++) {
      await run(total / 4);
      quarters.push(await residentBytes(server));
    }
    const seconds = (performance.now() - t0) / 1000;
    const mib = (b: number) => b / 2 ** 20;
    results.push({
      case: `resident memory over ${total} requests (MiB at start, after each quarter)`,
      metric: 'resident memory after',
      unit: 'MiB',
      median: mib(quarters[3]),
      p95: null,
      n: 1,
      beforeMiB: mib(before),
      q1MiB: mib(quarters[0]),
      q2MiB: mib(quarters[1]),
      q3MiB: mib(quarters[2]),
      afterMiB: mib(quarters[3]),
      secondHalfGrowthMiB: mib(quarters[3] - quarters[1]),
      heapUsedMiB: mib(await gauge(server, 'triad_nodejs_heap_size_used_bytes')),
      throughputPerS: total / seconds,
    });
  } finally {
    await server.stop();
    small.remove();
  }
}

/** A health probe every 10 ms until told to stop; posts 'ready', then the latencies (ms). */
const PROBER = `
const { parentPort, workerData } = require('node:worker_threads');
let busy = true;
parentPort.once('message', () => (busy = false));
(async () => {
  const probes = [];
  parentPort.postMessage('ready');
  while (busy) {
    const t0 = performance.now();
    await fetch(workerData);
    probes.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 10));
  }
  parentPort.postMessage(probes);
})();
`;

// 5. Health probe latency while large requests are served: a probe every 10 ms while the server
// takes JSON requests whose decoding (1.2 MB in) and encoding (270 000 numbers out) used to run on
// its one HTTP thread, and while it runs a ×4 super-resolution in binary. The control: the same
// binary work, probing a second server that does nothing — what the machine's two shared cores
// alone add to a probe.
{
  const server = await spawnServer(['--rate-limit', '0']);
  const bystander = await spawnServer(['--rate-limit', '0']);
  try {
    const pixels = Float32Array.from({ length: 150 * 150 * 3 }, (_, i) => ((i * 37) % 256) / 3);
    const big = (mode: 'binary' | 'json', model: string): Promise<unknown> =>
      client(server.url, mode).infer(model, [
        { name: 'input', datatype: 'FP32', shape: [1, 150, 150, 3], data: pixels },
      ]);
    for (const [label, work] of [
      ['idle', () => new Promise((r) => setTimeout(r, 3000))],
      [
        'esrgan-slim-x2 150×150 in JSON, 3 in a row',
        async () => {
          for (let i = 0; i < 3; i++) await big('json', 'esrgan-slim-x2');
        },
      ],
      [
        'esrgan-slim-x4 150×150 in binary, 5 in a row',
        async () => {
          // Five, so that a p99 is not just the maximum of twenty probes.
          for (let i = 0; i < 5; i++) await big('binary', 'esrgan-slim-x4');
        },
      ],
      [
        'esrgan-slim-x4 150×150 in binary, 5 in a row — probing an idle second server (control)',
        async () => {
          for (let i = 0; i < 5; i++) await big('binary', 'esrgan-slim-x4');
        },
      ],
    ] as const) {
      // The probes run in a thread of their own: this thread's client encodes and decodes the
      // big JSON bodies, which would delay a probe here and be counted as the server's.
      const prober = new Worker(PROBER, {
        eval: true,
        workerData: `${label.endsWith('(control)') ? bystander.url : server.url}/v2/health/ready`,
      });
      await once(prober, 'message'); // probing
      await work();
      prober.postMessage('stop');
      const [probes] = (await once(prober, 'message')) as [number[]];
      results.push({
        case: `while serving: ${label}`,
        metric: 'health probe latency',
        unit: 'ms',
        median: percentile(probes, 50),
        p95: percentile(probes, 95),
        n: probes.length,
        p99: percentile(probes, 99),
        max: Math.max(...probes),
      });
    }
  } finally {
    await Promise.all([server.stop(), bystander.stop()]);
  }
}

report('endpoint', { ...machine(), quick: QUICK }, results);
