// Dynamic batching and queue bounds on a real server: merged requests get their own slices
// back, preferred and max sizes flush early, lone requests wait no longer than the delay, a
// full queue answers 503 + Retry-After and a request over --timeout answers 504. Assertions lean
// on metrics and Server-Timing, not on wall-clock races.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inferRows, json, metric, raw, type Reply } from './client.ts';
import {
  identityConfig,
  identityModel,
  makeRepository,
  slowModel,
  type TempRepository,
} from './models.ts';
import { spawnServer, type SpawnedServer } from './spawn.ts';

let server: SpawnedServer;
let repo: TempRepository;
const TIMEOUT_MS = 2500;
const WIDTH = 512;

beforeAll(async () => {
  const identity = identityModel('FP32', ['n', 'len']);
  const slow = slowModel(WIDTH, 64);
  const batching = (delayUs: number, extra: Record<string, unknown> = {}) =>
    identityConfig('FP32', [-1], {
      max_batch_size: 4,
      dynamic_batching: { max_queue_delay_microseconds: delayUs, ...extra },
    });
  const slowConfig = (queue: number) => ({
    max_batch_size: 0,
    max_queue_size: queue,
    input: [{ name: 'x', data_type: 'FP32', dims: [-1, WIDTH] }],
    output: [{ name: 'y', data_type: 'FP32', dims: [-1, WIDTH] }],
  });
  repo = makeRepository({
    // A 10 s delay: only a preferred or full batch can answer within the test timeout.
    preferred: { config: batching(10_000_000, { preferred_batch_size: [3] }), model: identity },
    full: { config: batching(10_000_000), model: identity },
    lone: { config: batching(300_000), model: identity },
    unbatched: { config: identityConfig('FP32', [-1], { max_batch_size: 4 }), model: identity },
    tiny_queue: { config: slowConfig(2), model: slow },
    long_queue: { config: slowConfig(64), model: slow },
  });
  server = await spawnServer(['--repository', repo.dir, '--timeout', String(TIMEOUT_MS)]);
}, 40_000);
afterAll(async () => {
  expect(await server.stop()).toBe(0);
  repo.remove();
});

function infer(model: string, rows: number[][]): Promise<Reply> {
  return raw(server.url, {
    method: 'POST',
    path: `/v2/models/${model}/infer`,
    body: JSON.stringify({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [rows.length, rows[0].length], data: rows }],
    }),
  });
}

const inferSlow = (model: string, rows: number): Promise<Reply> =>
  inferRows(server.url, model, rows, WIDTH);

const timing = (reply: Reply) => {
  const m = /queue;dur=([\d.]+), compute;dur=([\d.]+)/.exec(String(reply.headers['server-timing']));
  if (!m)
    throw new Error(`no Server-Timing in ${reply.status} ${reply.body.toString().slice(0, 200)}`);
  return { queue: Number(m[1]), compute: Number(m[2]) };
};
const batches = (model: string) => metric(server.url, 'triad_batch_size_count', { model });
const rowsRun = (model: string) => metric(server.url, 'triad_batch_size_sum', { model });

describe('dynamic batching', () => {
  test('concurrent requests reaching a preferred size run as one batch, each getting its own rows', async () => {
    const replies = await Promise.all([
      infer('preferred', [[1, 1]]),
      infer('preferred', [[2, 2]]),
      infer('preferred', [[3, 3]]),
    ]);
    replies.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(json(r).outputs).toEqual([
        { name: 'y', datatype: 'FP32', shape: [1, 2], data: [i + 1, i + 1] },
      ]);
    });
    expect(await batches('preferred')).toBe(1);
    expect(await rowsRun('preferred')).toBe(3);
    expect(
      await metric(server.url, 'triad_batch_size_bucket', { model: 'preferred', le: '2' }),
    ).toBe(0);
  });

  test('requests filling max_batch_size run at once, multi-row requests sliced back whole', async () => {
    const replies = await Promise.all([infer('full', [[1], [2], [3]]), infer('full', [[4]])]);
    expect(json(replies[0]).outputs).toMatchObject([{ shape: [3, 1], data: [1, 2, 3] }]);
    expect(json(replies[1]).outputs).toMatchObject([{ shape: [1, 1], data: [4] }]);
    expect(await batches('full')).toBe(1);
    expect(await rowsRun('full')).toBe(4);
  });

  test('a lone request waits about max_queue_delay, not longer', async () => {
    const reply = await infer('lone', [[7]]);
    expect(reply.status).toBe(200);
    const { queue } = timing(reply);
    expect(queue).toBeGreaterThanOrEqual(290);
    expect(queue).toBeLessThan(300 + 1000);
  });

  test('requests whose shapes differ beyond dimension 0 are not merged', async () => {
    const replies = await Promise.all([infer('lone', [[1, 2]]), infer('lone', [[1, 2, 3]])]);
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    expect(json(replies[1]).outputs).toMatchObject([{ shape: [1, 3], data: [1, 2, 3] }]);
    expect(await batches('lone')).toBe(3);
    expect(await rowsRun('lone')).toBe(3);
  });

  test('a batching model without dynamic_batching runs each request on its own', async () => {
    await Promise.all([1, 2, 3, 4].map((v) => infer('unbatched', [[v]])));
    expect(await batches('unbatched')).toBe(4);
  });
});

describe('queue bounds', () => {
  test('a full queue answers 503 with Retry-After; max_batch_size 0 runs one at a time', async () => {
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => inferSlow('tiny_queue', 1024)),
    );
    const ok = replies.filter((r) => r.status === 200);
    const full = replies.filter((r) => r.status === 503);
    expect(ok.length + full.length).toBe(10);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(full.length).toBeGreaterThanOrEqual(1);
    for (const r of full) {
      expect(r.headers['retry-after']).toBe('1');
      expect(json(r).error).toMatch(/model 'tiny_queue': queue is full/);
    }
    expect(
      await metric(server.url, 'triad_inference_requests_total', {
        model: 'tiny_queue',
        outcome: 'rejected',
      }),
    ).toBe(full.length);
    // Every batch of a max_batch_size 0 model holds exactly one request.
    expect(await rowsRun('tiny_queue')).toBe(await batches('tiny_queue'));
    expect(await metric(server.url, 'triad_queue_depth', { model: 'tiny_queue' })).toBe(0);
  });

  test('requests still queued when --timeout runs out answer 504', async () => {
    // Queue enough work to outlast the timeout three times over on any machine.
    const { compute } = timing(await inferSlow('long_queue', 1024));
    const n = Math.min(60, Math.ceil((3 * TIMEOUT_MS) / Math.max(compute, 1)));
    const replies = await Promise.all(
      Array.from({ length: n }, () => inferSlow('long_queue', 1024)),
    );
    const late = replies.filter((r) => r.status === 504);
    expect(late.length).toBeGreaterThan(0);
    expect(replies.every((r) => r.status === 200 || r.status === 504)).toBe(true);
    expect(json(late[0]).error).toMatch(/did not answer within 2500 ms/);
  }, 20_000);
});
