// A model worker that dies on its own, against a real server: a model with `"isolation":
// "process"` runs in a child process, which this test kills from outside (as the OOM killer or a
// crash in onnxruntime would). The model comes back in a fresh process; one that keeps dying
// stays down with a reason instead of looping.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodeResponse, inferRows, json, metric } from './client.ts';
import { makeRepository, slowModel, type TempRepository } from './models.ts';
import { spawnServer, type SpawnedServer } from './spawn.ts';
import { MAX_CRASHES } from '../src/runner/runner.ts';

let server: SpawnedServer;
let repo: TempRepository;
const WIDTH = 64;

beforeAll(async () => {
  repo = makeRepository({
    fragile: {
      config: {
        max_batch_size: 0,
        isolation: 'process',
        input: [{ name: 'x', data_type: 'FP32', dims: [-1, WIDTH] }],
        output: [{ name: 'y', data_type: 'FP32', dims: [-1, WIDTH] }],
      },
      model: slowModel(WIDTH, 1),
    },
  });
  server = await spawnServer(['--repository', repo.dir]);
}, 60_000);
afterAll(async () => {
  expect(await server.stop()).toBe(0);
  repo.remove();
});

/** The model's process: the server's one live child (a dead one not reaped yet is left out). */
function modelProcess(): number | null {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,stat=', '--ppid', String(server.process.pid)]).toString();
  } catch {
    return null; // no child at all (ps exits 1)
  }
  const live = out
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, stat]) => pid && !stat?.startsWith('Z'));
  if (live.length > 1) throw new Error(`the server has ${live.length} model processes: ${out}`);
  return live.length === 1 ? Number(live[0][0]) : null;
}

const restarts = () => metric(server.url, 'triad_model_restarts_total', { model: 'fragile' });

async function served(fill: number): Promise<boolean> {
  const reply = await inferRows(server.url, 'fragile', 2, WIDTH, { fill });
  if (reply.status !== 200) return false;
  const y = decodeResponse(reply).binary.get('y')!;
  return new Float32Array(y.buffer, y.byteOffset, y.byteLength / 4).every((v) => v === fill);
}

/** Kills the model's process and waits for a fresh one. */
async function crash(): Promise<number> {
  const pid = modelProcess();
  expect(pid).not.toBeNull();
  process.kill(pid!, 'SIGKILL');
  await expect
    .poll(
      () => {
        const now = modelProcess();
        return now !== null && now !== pid;
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  return pid!;
}

test('a model whose process dies is loaded again in a fresh one, and serves the next requests', async () => {
  expect(await served(1)).toBe(true);
  const before = await restarts();
  const old = await crash();
  await expect.poll(() => served(2), { timeout: 20_000 }).toBe(true);
  expect(modelProcess()).not.toBe(old);
  expect(await restarts()).toBe(before + 1);
  expect(server.output()).toMatch(
    /model 'fragile': model process exited \(SIGKILL\); loading it again/,
  );
}, 60_000);

test('a model that keeps dying stays down, and says so, instead of restarting forever', async () => {
  // The first test's crash is in the window too: crash until one more than MAX_CRASHES.
  const before = await restarts();
  for (let i = before; i < MAX_CRASHES; i++) {
    await crash();
    await expect.poll(() => served(3), { timeout: 20_000 }).toBe(true);
  }
  expect(await restarts()).toBe(MAX_CRASHES);
  const pid = modelProcess();
  process.kill(pid!, 'SIGKILL');
  await expect.poll(modelProcess, { timeout: 10_000 }).toBeNull();
  // A request that meets the dying process fails with its reason (500); once the server has
  // seen the exit, every request is refused with why.
  const last = () => inferRows(server.url, 'fragile', 2, WIDTH, { fill: 4 });
  await expect.poll(async () => (await last()).status, { timeout: 10_000 }).toBe(503);
  expect(json(await last()).error).toMatch(/died 4 times in 60 s, so it stays down/);
  expect(await restarts()).toBe(MAX_CRASHES);
}, 120_000);
