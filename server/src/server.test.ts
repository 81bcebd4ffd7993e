// startServer in-process: the API benchmarks use (url, models, close).
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  identityConfig,
  identityModel,
  makeRepository,
  type TempRepository,
} from '../test/models.ts';
import { startServer } from './server.ts';

let repo: TempRepository;
beforeAll(() => {
  repo = makeRepository({
    echo: { config: identityConfig('INT32', [-1]), model: identityModel('INT32', ['len']) },
  });
});
afterAll(() => repo.remove());

test('startServer serves a repository on a free loopback port until closed', async () => {
  const server = await startServer({ port: 0, repository: repo.dir });
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(server.readyModels).toBe(1);
  const res = await fetch(`${server.url}/v2/models/echo/infer`, {
    method: 'POST',
    body: JSON.stringify({
      inputs: [{ name: 'x', datatype: 'INT32', shape: [3], data: [7, -8, 9] }],
    }),
  });
  expect((await res.json()).outputs[0].data).toEqual([7, -8, 9]);
  await server.close();
  await expect(fetch(`${server.url}/v2/health/live`)).rejects.toThrow();
}, 20_000);
