// What a request may cost, against a real server: inputs over a model's element budget are 413
// before anything runs; an output asked for in JSON that would be too large to encode is a 400
// that says to ask for binary — before the model runs when its size can be foretold (fixed dims,
// or the model's declared output ratio), after it otherwise; binary answers are not limited.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { json, metric, raw, type Reply } from './client.ts';
import { identityConfig, identityModel, makeRepository, type TempRepository } from './models.ts';
import { spawnServer, type SpawnedServer } from './spawn.ts';

let server: SpawnedServer;
let repo: TempRepository;

beforeAll(async () => {
  const identity = identityModel('FP32', ['len']);
  repo = makeRepository({
    budget: {
      config: identityConfig('FP32', [-1], { cost: { max_input_elements: 1000 } }),
      model: identity,
    },
    upscale: {
      config: identityConfig('FP32', [-1], { cost: { output_elements_per_input_element: 16 } }),
      model: identity,
    },
    fixed: { config: identityConfig('FP32', [200]), model: identityModel('FP32', [200]) },
    dynamic: { config: identityConfig('FP32', [-1]), model: identity },
  });
  server = await spawnServer([
    '--repository',
    repo.dir,
    '--max-json-elements',
    '100',
    '--max-elements',
    '1500',
  ]);
}, 40_000);
afterAll(async () => {
  expect(await server.stop()).toBe(0);
  repo.remove();
});

function infer(model: string, n: number, binary = false): Promise<Reply> {
  return raw(server.url, {
    method: 'POST',
    path: `/v2/models/${model}/infer`,
    body: JSON.stringify({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [n], data: new Array(n).fill(1) }],
      parameters: { binary_data_output: binary },
    }),
  });
}
const runs = (model: string) => metric(server.url, 'triad_batch_size_count', { model });

test("inputs over the model's budget are 413, naming the budget, before the model runs", async () => {
  const over = await infer('budget', 1001, true);
  expect(over.status).toBe(413);
  expect(json(over).error).toMatch(
    /request has 1001 input elements; model 'budget' takes at most 1000 per request/,
  );
  expect(await runs('budget')).toBe(0);
  expect((await infer('budget', 1000, true)).status).toBe(200);
});

test('without a budget of its own, a model gets the server-wide --max-elements', async () => {
  const over = await infer('dynamic', 1501, true);
  expect(over.status).toBe(413);
  expect(json(over).error).toMatch(/takes at most 1500 per request/);
});

test('a JSON output foretold too large is a 400 asking for binary, and nothing runs', async () => {
  const declared = await infer('upscale', 10); // 10 × 16 = 160 > 100
  expect(declared.status).toBe(400);
  expect(json(declared).error).toMatch(
    /output 'y' would have 160 elements, more than the 100 a JSON answer may carry here; ask for it in binary/,
  );
  const fixed = await infer('fixed', 200);
  expect(fixed.status).toBe(400);
  expect(json(fixed).error).toMatch(/output 'y' would have 200 elements/);
  expect(await runs('upscale')).toBe(0);
  expect(await runs('fixed')).toBe(0);
  // The same requests in binary are answered.
  expect((await infer('upscale', 10, true)).status).toBe(200);
  expect((await infer('fixed', 200, true)).status).toBe(200);
});

test('a JSON output whose size only the run tells is refused after it, still as a 400', async () => {
  const big = await infer('dynamic', 101);
  expect(big.status).toBe(400);
  expect(json(big).error).toMatch(/output 'y' has 101 elements, more than the 100/);
  expect(await runs('dynamic')).toBe(1);
  const ok = await infer('dynamic', 100);
  expect(ok.status).toBe(200);
  expect(json<{ outputs: { data: number[] }[] }>(ok).outputs[0].data).toHaveLength(100);
  for (const code of ['500', '503'])
    expect(await metric(server.url, 'triad_http_responses_total', { code })).toBe(0);
});
