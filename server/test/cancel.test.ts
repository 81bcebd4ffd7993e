// Stopping a run nobody waits for, against a real server: a model with `"isolation": "process"`
// runs in a child process, which is ended when its request times out or its client hangs up, so
// the next request is served at once instead of after the abandoned run.
import { Agent } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodeResponse, inferRows, json, metric, type Reply } from './client.ts';
import { makeRepository, slowModel, type TempRepository } from './models.ts';
import { spawnServer, type SpawnedServer } from './spawn.ts';

let server: SpawnedServer;
let repo: TempRepository;
const TIMEOUT_MS = 3000;
const WIDTH = 512;
/** Rows whose run outlasts the timeout twenty times over on this machine (calibrated). */
let bigRows = 0;

beforeAll(async () => {
  repo = makeRepository({
    stoppable: {
      config: {
        max_batch_size: 0,
        isolation: 'process',
        input: [{ name: 'x', data_type: 'FP32', dims: [-1, WIDTH] }],
        output: [{ name: 'y', data_type: 'FP32', dims: [-1, WIDTH] }],
      },
      model: slowModel(WIDTH, 512),
    },
  });
  server = await spawnServer(['--repository', repo.dir, '--timeout', String(TIMEOUT_MS)]);
  const rows = 512;
  await infer(rows); // warm up
  // The fastest of three (a run measured while other test files load the cores would size the
  // big run too small). The model is deep enough that the row cap (16 384) still outlasts the
  // timeout on a fast machine: with 128 layers the capped run took ~2.9 s in CI and finished
  // inside the 3 s timeout.
  let compute = Infinity;
  for (let i = 0; i < 3; i++) compute = Math.min(compute, timing(await infer(rows)).compute);
  bigRows = Math.min(16_384, Math.ceil((rows * 20 * TIMEOUT_MS) / Math.max(compute, 1)));
}, 60_000);
afterAll(async () => {
  expect(await server.stop()).toBe(0);
  repo.remove();
});

const infer = (rows: number, options: { fill?: number; agent?: Agent } = {}) =>
  inferRows(server.url, 'stoppable', rows, WIDTH, options);
const timing = (reply: Reply) => {
  const m = /compute;dur=([\d.]+)/.exec(String(reply.headers['server-timing']));
  if (!m) throw new Error(`no Server-Timing in ${reply.status} ${reply.body.toString()}`);
  return { compute: Number(m[1]) };
};
const running = () => metric(server.url, 'triad_running_rows', { model: 'stoppable' });
const stopped = () => metric(server.url, 'triad_runs_stopped_total', { model: 'stoppable' });

/** A small request's answer: 200 with its own values back (the model is an identity). */
async function expectServed(fill: number) {
  const reply = await infer(2, { fill });
  expect(reply.status, reply.body.toString().slice(0, 200)).toBe(200);
  const y = decodeResponse(reply).binary.get('y')!;
  const values = new Float32Array(y.buffer, y.byteOffset, y.byteLength / 4);
  expect(values.length).toBe(2 * WIDTH);
  expect(values.every((v) => v === fill)).toBe(true);
}

test('a run that times out is stopped, and the next request is served before it would have ended', async () => {
  const before = await stopped();
  const big = await infer(bigRows);
  expect(big.status).toBe(504);
  expect(json(big).error).toMatch(/did not answer within 3000 ms/);
  // Without the stop, this request would wait the four timeouts the big run has left: 504.
  await expectServed(3);
  expect(await stopped()).toBe(before + 1);
}, 30_000);

test('a run whose client hangs up is stopped, and the model serves the next request', async () => {
  const before = await stopped();
  const agent = new Agent({ keepAlive: true });
  const abandoned = infer(bigRows, { agent }).catch((e: Error) => e);
  await expect.poll(running, { interval: 5, timeout: 10_000 }).toBe(1); // one request
  agent.destroy(); // the client hangs up mid-run
  await expect.poll(stopped, { interval: 5, timeout: 5_000 }).toBe(before + 1);
  expect(await abandoned).toBeInstanceOf(Error);
  await expectServed(7);
  expect(
    await metric(server.url, 'triad_inference_requests_total', {
      model: 'stoppable',
      outcome: 'cancelled',
    }),
  ).toBe(1);
}, 30_000);
