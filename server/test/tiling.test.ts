// Large images through the real super-resolution models, tile by tile: the same pixels as one
// whole run (within the app's seam rule), memory that stays near one tile's working set, a small
// request served between the tiles of a big one, and a big request that times out freeing the
// model after the tiles already running.
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodeResponse, inferImage, json, metric, type Reply } from './client.ts';
import { ROOT, spawnServer, type SpawnedServer } from './spawn.ts';

let server: SpawnedServer;
let strict: SpawnedServer;

beforeAll(async () => {
  [server, strict] = await Promise.all([
    spawnServer(['--rate-limit', '0']),
    spawnServer(['--rate-limit', '0', '--timeout', '2000']),
  ]);
}, 60_000);
afterAll(async () => {
  expect(await server.stop()).toBe(0);
  expect(await strict.stop()).toBe(0);
});

function photo(width: number, height: number): Float32Array {
  // Smooth gradients with edges: what a seam would show on.
  return Float32Array.from({ length: width * height * 3 }, (_, i) => {
    const p = Math.floor(i / 3);
    const [x, y, c] = [p % width, Math.floor(p / width), i % 3];
    return (x * 3 + y * 2 + c * 60 + ((x >> 4) % 2 ? 40 : 0)) % 256;
  });
}

const infer = (on: SpawnedServer, model: string, width: number, height: number) =>
  inferImage(on.url, model, photo(width, height), [1, height, width, 3]);

const floats = (reply: Reply) => {
  const y = decodeResponse(reply).binary.get('output') as Buffer;
  return new Float32Array(y.buffer.slice(y.byteOffset, y.byteOffset + y.byteLength));
};
const byte = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
const rss = async (on: SpawnedServer) =>
  (await metric(on.url, 'triad_process_resident_memory_bytes')) / 2 ** 20;

test('a 300×200 image through ×2 in tiles equals one whole run within the seam rule (|Δ| ≤ 2)', async () => {
  const reply = await infer(server, 'esrgan-slim-x2', 300, 200);
  expect(reply.status).toBe(200);
  expect(decodeResponse(reply).header.outputs[0].shape).toEqual([1, 400, 600, 3]);
  const tiled = floats(reply);
  const session = await ort.InferenceSession.create(
    `${ROOT}public/models/esrgan-slim-x2/model.onnx`,
  );
  const whole = (
    await session.run({ input: new ort.Tensor('float32', photo(300, 200), [1, 200, 300, 3]) })
  ).output.data as Float32Array;
  await session.release();
  let worst = 0;
  for (let i = 0; i < whole.length; i++)
    worst = Math.max(worst, Math.abs(byte(tiled[i]) - byte(whole[i])));
  expect(worst).toBeLessThanOrEqual(2);
  // It ran as tiles: 3 × 2 of them (128 px with 6 px of context), more than one batch.
  expect(await metric(server.url, 'triad_batch_size_sum', { model: 'esrgan-slim-x2' })).toBe(6);
}, 60_000);

test('memory after a ×4 of 384×384 stays near one tile’s working set plus the answer', async () => {
  await infer(server, 'esrgan-slim-x4', 64, 64); // the arena at one small run's size
  const idle = await rss(server);
  const reply = await infer(server, 'esrgan-slim-x4', 384, 384);
  expect(reply.status).toBe(200);
  const answerMiB = ((384 * 4) ** 2 * 3 * 4) / 2 ** 20; // 27 MiB of FP32
  // One whole run of this size took the server from ~220 to ~1000 MiB (the arena keeps it).
  expect(await rss(server)).toBeLessThan(1.5 * idle + 4 * answerMiB);
}, 60_000);

test('a small request sent during a big tiled one is served between its tiles', async () => {
  const big = infer(server, 'esrgan-slim-x4', 512, 512); // 25 tiles
  await expect
    .poll(() => metric(server.url, 'triad_running_rows', { model: 'esrgan-slim-x4' }), {
      interval: 5,
      timeout: 10_000,
    })
    .toBeGreaterThan(0);
  const small = await infer(server, 'esrgan-slim-x4', 16, 16);
  expect(small.status).toBe(200);
  // The big request's tiles were still running or queued when the small one was answered.
  const model = { model: 'esrgan-slim-x4' };
  const left =
    (await metric(server.url, 'triad_running_rows', model)) +
    (await metric(server.url, 'triad_queue_depth', model));
  expect(left).toBeGreaterThan(0);
  expect((await big).status).toBe(200);
}, 60_000);

test('a big request that times out stops after its running tiles; the next request is served', async () => {
  const big = await infer(strict, 'esrgan-slim-x4', 1024, 1024); // ~64 tiles: far over 2 s
  expect(big.status).toBe(504);
  expect(json(big).error).toMatch(/did not answer within 2000 ms/);
  const next = await infer(strict, 'esrgan-slim-x4', 16, 16);
  expect(next.status).toBe(200);
  const ran = await metric(strict.url, 'triad_batch_size_sum', { model: 'esrgan-slim-x4' });
  expect(ran).toBeLessThan(64); // most tiles never ran
}, 60_000);
