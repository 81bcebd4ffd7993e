// Dynamic batching and queue bounds on a real server: a request on an idle model runs at once,
// requests that arrive during a run go together and get their own slices back, a
// full queue answers 503 + Retry-After and a request over --timeout answers 504. Assertions lean
// on metrics and Server-Timing, not on wall-clock races.
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeResponse, inferRows, json, metric, raw, type Reply } from './client.ts';
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
    // A 10 s delay: a batcher that waited for a batch to fill would answer after the test's end.
    idle: { config: batching(10_000_000, { preferred_batch_size: [3] }), model: identity },
    lone: { config: batching(300_000), model: identity },
    gather: {
      config: {
        max_batch_size: 1024,
        dynamic_batching: { max_queue_delay_microseconds: 10_000_000 },
        input: [{ name: 'x', data_type: 'FP32', dims: [WIDTH] }],
        output: [{ name: 'y', data_type: 'FP32', dims: [WIDTH] }],
      },
      model: slow,
    },
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
  test('a request that finds the model idle runs at once, though max_queue_delay is 10 s', async () => {
    const reply = await infer('idle', [[7]]);
    expect(reply.status).toBe(200);
    expect(json(reply).outputs).toEqual([
      { name: 'y', datatype: 'FP32', shape: [1, 1], data: [7] },
    ]);
    // A batcher that waited for a batch to fill would have held it for the full 10 s.
    expect(timing(reply).queue).toBeLessThan(5_000);
  });

  test('requests that arrive while the model is busy run together as soon as it is free, each getting its own rows', async () => {
    // A runs alone (the model was idle) and for long: B, C and D arrive during its run.
    const a = inferSlow('gather', 1024);
    await expect
      .poll(() => metric(server.url, 'triad_running_rows', { model: 'gather' }), { interval: 5 })
      .toBe(1024);
    const rest = [2, 3, 4].map((fill) =>
      inferRows(server.url, 'gather', 1, WIDTH, { fill }).then((r) => ({ r, fill })),
    );
    expect((await a).status).toBe(200);
    for (const { r, fill } of await Promise.all(rest)) {
      expect(r.status).toBe(200);
      const y = decodeResponse(r).binary.get('y')!;
      const out = new Float32Array(y.buffer.slice(y.byteOffset, y.byteOffset + y.byteLength));
      expect(out.length).toBe(WIDTH);
      expect(out.every((v) => v === fill)).toBe(true);
    }
    expect(await batches('gather')).toBe(2);
    expect(await rowsRun('gather')).toBe(1024 + 3);
  });

  test('requests whose shapes differ beyond dimension 0 are not merged', async () => {
    const replies = await Promise.all([infer('lone', [[1, 2]]), infer('lone', [[1, 2, 3]])]);
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    expect(json(replies[1]).outputs).toMatchObject([{ shape: [1, 3], data: [1, 2, 3] }]);
    expect(await batches('lone')).toBe(2);
    expect(await rowsRun('lone')).toBe(2);
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

  test('a request whose client hangs up leaves the queue at once', async () => {
    const ranBefore = await batches('long_queue');
    const running = inferSlow('long_queue', 4096);
    const rowsRunning = () => metric(server.url, 'triad_running_rows', { model: 'long_queue' });
    const depth = () => metric(server.url, 'triad_queue_depth', { model: 'long_queue' });
    await expect.poll(rowsRunning, { interval: 5 }).toBe(1); // one request (max_batch_size 0)
    const agent = new Agent({ keepAlive: true });
    const abandoned = inferRows(server.url, 'long_queue', 1, WIDTH, { agent }).catch(
      (e: Error) => e,
    );
    await expect.poll(depth, { interval: 5 }).toBe(1);
    agent.destroy(); // the client hangs up
    await expect.poll(depth, { interval: 5 }).toBe(0);
    expect(await abandoned).toBeInstanceOf(Error);
    expect((await running).status).toBe(200);
    // Only the request ahead of it ran.
    expect(await batches('long_queue')).toBe(ranBefore + 1);
    expect(
      await metric(server.url, 'triad_inference_requests_total', {
        model: 'long_queue',
        outcome: 'cancelled',
      }),
    ).toBe(1);
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
