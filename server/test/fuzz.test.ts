// 10,000 generated malformed requests (bad JSON, wrong names, datatypes, shapes, data lengths,
// binary sizes, header lengths, path escapes, wrong methods, values nested too deep, inputs over
// the element budget): each must get a 4xx `{error}`,
// none a 5xx, and the server must still answer a valid request correctly afterwards.
import fc from 'fast-check';
import { Agent } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { json, metric, raw } from './client.ts';
import { malformedRequest } from './malformed.ts';
import {
  identityConfig,
  identityModel,
  makeRepository,
  pairModel,
  type TempRepository,
} from './models.ts';
import { spawnServer, type SpawnedServer } from './spawn.ts';

let server: SpawnedServer;
let repo: TempRepository;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  repo = makeRepository({
    vec: {
      config: identityConfig('FP32', [3], { max_batch_size: 4 }),
      model: identityModel('FP32', ['n', 3]),
    },
    bits: { config: identityConfig('UINT8', [2, -1]), model: identityModel('UINT8', [2, 'len']) },
    text: { config: identityConfig('BYTES', [-1]), model: identityModel('BYTES', ['len']) },
    pair: {
      config: {
        max_batch_size: 0,
        input: [{ name: 'x', data_type: 'FP32', dims: [-1] }],
        output: [
          { name: 'y', data_type: 'FP32', dims: [-1] },
          { name: 'z', data_type: 'FP32', dims: [-1] },
        ],
      },
      model: pairModel(['len']),
    },
  });
  server = await spawnServer([
    '--repository',
    repo.dir,
    '--rate-limit',
    '0',
    '--max-elements',
    '1000',
  ]);
}, 40_000);
afterAll(async () => {
  agent.destroy();
  expect(await server.stop()).toBe(0);
  repo.remove();
});

test('10,000 malformed requests each get a 4xx JSON error and the server keeps serving', async () => {
  const started = performance.now();
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(malformedRequest, async ({ label, request }) => {
      const reply = await raw(server.url, { ...request, agent });
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      expect(reply.status, label).toBeGreaterThanOrEqual(400);
      expect(reply.status, label).toBeLessThan(500);
      expect(reply.headers['content-type'], label).toBe('application/json');
      expect(typeof json(reply).error, label).toBe('string');
    }),
    { numRuns: 10_000 },
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `10,000 malformed requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  );

  const ok = await raw(server.url, {
    method: 'POST',
    path: '/v2/models/vec/infer',
    body: JSON.stringify({
      id: 'after',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }],
    }),
    agent,
  });
  expect(ok.status).toBe(200);
  expect(json(ok)).toEqual({
    id: 'after',
    model_name: 'vec',
    model_version: '1',
    outputs: [{ name: 'y', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }],
  });
  for (const code of ['500', '501', '502', '503', '504'])
    expect(await metric(server.url, 'triad_http_responses_total', { code })).toBe(0);
  expect(
    await metric(server.url, 'triad_inference_requests_total', { outcome: 'invalid' }),
  ).toBeGreaterThan(5_000);
}, 60_000);
