// The browser's endpoint client against a real server process (Node's fetch stands in for the
// browser's): error kinds, both tensor encodings, the round trip split, health.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  identityConfig,
  identityModel,
  makeRepository,
  slowModel,
  type TempRepository,
} from '../../../server/test/models';
import { spawnServer, type SpawnedServer } from '../../../server/test/spawn';
import {
  DEFAULT_ENDPOINT,
  OipClient,
  RemoteError,
  isLocalEndpoint,
  type EndpointSettings,
} from './client';
import type { Tensor } from './codec';
import { linkOf } from './link';
import { RemoteModel } from './model';

const WIDTH = 256;
let server: SpawnedServer;
let repo: TempRepository;
const client = (settings: Partial<EndpointSettings> = {}) =>
  new OipClient({ ...DEFAULT_ENDPOINT, url: server.url, token: 'sesame', ...settings });

beforeAll(async () => {
  repo = makeRepository({
    echo: { config: identityConfig('FP32', [-1]), model: identityModel('FP32', ['n']) },
    slow: {
      config: {
        max_batch_size: 0,
        max_queue_size: 1,
        input: [{ name: 'x', data_type: 'FP32', dims: [-1, WIDTH] }],
        output: [{ name: 'y', data_type: 'FP32', dims: [-1, WIDTH] }],
      },
      model: slowModel(WIDTH, 48),
    },
  });
  server = await spawnServer(['--repository', repo.dir, '--token', 'sesame']);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  repo?.remove();
});

const vector = (n: number): Tensor => ({
  name: 'x',
  datatype: 'FP32',
  shape: [n],
  data: Float32Array.from({ length: n }, (_, i) => i / 7),
});
const rows = (n: number): Tensor => ({
  name: 'x',
  datatype: 'FP32',
  shape: [n, WIDTH],
  data: new Float32Array(n * WIDTH).fill(1),
});

async function failure(promise: Promise<unknown>): Promise<RemoteError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RemoteError) return error;
    throw error;
  }
  throw new Error('the call did not fail');
}

describe('the endpoint client against a real server', () => {
  it('gets the same tensors back in binary and JSON modes, with the round trip split', async () => {
    for (const mode of ['binary', 'json'] as const) {
      const { outputs, timing } = await client({ mode }).infer('echo', [vector(1000)]);
      expect(outputs[0].name).toBe('y');
      expect(Array.from(outputs[0].data as Float32Array)).toEqual(
        Array.from(vector(1000).data as Float32Array),
      );
      for (const v of Object.values(timing)) expect(v).toBeGreaterThanOrEqual(0);
      expect(timing.computeMs).toBeGreaterThan(0); // from the server's Server-Timing header
    }
  });

  it('says how long a request waited in the server’s queue, which the link’s time leaves out', async () => {
    // Two requests at once on a model that runs one at a time (its queue holds one): the later
    // one waited for the other (how long depends on when each arrived on a loaded machine).
    const [a, b] = await Promise.all([
      client().infer('slow', [rows(1024)]),
      client().infer('slow', [rows(1024)]),
    ]);
    const second = a.timing.queueMs <= b.timing.queueMs ? b : a;
    expect(second.timing.queueMs).toBeGreaterThan(0);
    const link = linkOf(second.timing);
    expect(link.waitMs).toBeCloseTo(second.timing.queueMs);
    // The link's time is what is left once the queue's wait is taken out (not compared with
    // the wait itself: which is longer depends on how loaded the machine is).
    expect(link.outMs).toBeCloseTo(
      second.timing.serializeMs + second.timing.networkQueueMs - second.timing.queueMs,
    );
  });

  it('maps failures to kinds: unauthorized, not found, bad request, unreachable', async () => {
    expect((await failure(client({ token: 'wrong' }).infer('echo', [vector(4)]))).kind).toBe(
      'unauthorized',
    );
    const missing = await failure(client().infer('nope', [vector(4)]));
    expect(missing).toMatchObject({ kind: 'not-found', status: 404 });
    expect(missing.message).toContain('nope');
    const bad = await failure(client().infer('echo', [{ ...vector(4), name: 'wrong' }]));
    expect(bad).toMatchObject({ kind: 'bad-request', status: 400 });
    expect(bad.message).toContain('wrong');
    const closed = await failure(
      new OipClient({ ...DEFAULT_ENDPOINT, url: 'http://127.0.0.1:9' }).infer('echo', [vector(4)]),
    );
    expect(closed.kind).toBe('unreachable');
  });

  it('times out, cancels, and reports a full queue as overloaded with its Retry-After', async () => {
    const slow = await failure(client({ timeoutMs: 5 }).infer('slow', [rows(2048)]));
    expect(slow.kind).toBe('timeout');
    const abort = new AbortController();
    const cancelled = client().infer('slow', [rows(2048)], { signal: abort.signal });
    abort.abort();
    expect((await failure(cancelled)).kind).toBe('cancelled');
    // One running, one queued (max_queue_size 1): more are refused.
    const calls = Array.from({ length: 6 }, () => client().infer('slow', [rows(2048)]));
    const settled = await Promise.allSettled(calls);
    const refused = settled.flatMap((s) =>
      s.status === 'rejected' && s.reason instanceof RemoteError ? [s.reason] : [],
    );
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r).toMatchObject({ kind: 'overloaded', status: 503 });
    expect(refused[0].retryAfterMs).toBeGreaterThan(0);
  }, 60_000);

  it('says how the endpoint is: ready, token refused, unreachable', async () => {
    expect((await client().health()).state).toBe('ready');
    expect((await client({ token: 'wrong' }).health()).state).toBe('unauthorized');
    const gone = new OipClient({ ...DEFAULT_ENDPOINT, url: 'http://127.0.0.1:9' });
    expect((await gone.health()).state).toBe('unreachable');
  });

  it('RemoteModel runs a model by its metadata and adds up its round trips', async () => {
    const model = await RemoteModel.load(client(), 'echo');
    const out = await model.run({ data: new Float32Array([1, 2, 3]), dims: [3] });
    expect(Array.from(out.data)).toEqual([1, 2, 3]);
    await model.run({ data: new Float32Array([4]), dims: [1] });
    const trips = model.takeRoundTrips()!;
    expect(trips.computeMs).toBeGreaterThan(0);
    expect(model.takeRoundTrips()).toBeNull();
    await model.release();
  });
});

describe('where the endpoint runs', () => {
  it('is this machine for loopback addresses only', () => {
    for (const url of [
      'http://127.0.0.1:8000',
      'http://localhost:9000/',
      'http://[::1]:8000',
      'http://127.4.5.6',
    ])
      expect(isLocalEndpoint(url), url).toBe(true);
    for (const url of [
      'https://triton.example.com',
      'http://192.168.1.20:8000',
      'http://128.0.0.1',
      'not a url',
    ])
      expect(isLocalEndpoint(url), url).toBe(false);
  });
});
