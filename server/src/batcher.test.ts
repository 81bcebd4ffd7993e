import { describe, expect, test } from 'vitest';
import { Batcher, QueueFullError, type BatchPolicy, type Clock } from './batcher.ts';

/** A clock stepped by hand. */
class ManualClock implements Clock {
  time = 0;
  timers = new Map<number, { at: number; fn: () => void }>();
  #next = 0;
  now = () => this.time;
  setTimer = (fn: () => void, ms: number) => {
    const id = this.#next++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  };
  clearTimer = (id: unknown) => void this.timers.delete(id as number);
  advance(ms: number): void {
    this.time += ms;
    for (const [id, t] of [...this.timers].sort((a, b) => a[1].at - b[1].at))
      if (t.at <= this.time && this.timers.delete(id)) t.fn();
  }
}

const POLICY: BatchPolicy = {
  merge: true,
  adaptive: false,
  maxBatchSize: 8,
  maxQueueDelayMs: 10,
  preferredBatchSizes: [4],
  maxQueueSize: 16,
};

/** A batcher whose runs finish only when the test says so. */
function setup(policy: Partial<BatchPolicy> = {}) {
  const clock = new ManualClock();
  const batches: string[][] = [];
  const finish: (() => void)[] = [];
  const signals: AbortSignal[] = [];
  const batcher = new Batcher<string, string>(
    { ...POLICY, ...policy },
    clock,
    (payloads, signal) => {
      batches.push(payloads);
      signals.push(signal);
      return new Promise((resolve, reject) => {
        finish.push(() => resolve(payloads.map((p) => `${p}!`)));
        // A runner that can stop: the run ends when its signal fires.
        signal.addEventListener('abort', () => reject(signal.reason));
      });
    },
  );
  const settle = () => new Promise((r) => setImmediate(r));
  return { clock, batches, finish, signals, batcher, settle };
}

describe('Batcher, adaptive', () => {
  test('a request that finds the model idle runs at once, without waiting for a batch', () => {
    const { batches, batcher } = setup({ adaptive: true });
    batcher.submit('a', 'k', 1);
    expect(batches).toEqual([['a']]);
  });

  test('what arrived during a run goes together as soon as the run ends, up to the max size', async () => {
    const { batches, batcher, finish, settle } = setup({ adaptive: true, maxBatchSize: 3 });
    batcher.submit('a', 'k', 1);
    for (const p of ['b', 'c', 'd', 'e']) batcher.submit(p, 'k', 1);
    batcher.submit('x', 'other', 1);
    expect(batches).toEqual([['a']]);
    finish[0]();
    await settle();
    expect(batches[1]).toEqual(['b', 'c', 'd']);
    finish[1]();
    await settle();
    expect(batches[2]).toEqual(['e']); // the head's key first, then the other key
    finish[2]();
    await settle();
    expect(batches[3]).toEqual(['x']);
  });
});

describe('Batcher, waiting (Triton-like)', () => {
  test('a lone request runs alone once the queue delay has passed', async () => {
    const { clock, batches, batcher } = setup();
    batcher.submit('a', 'k', 1);
    clock.advance(9);
    expect(batches).toEqual([]);
    clock.advance(1);
    expect(batches).toEqual([['a']]);
  });

  test('requests that reach a preferred size run at once', () => {
    const { batches, batcher } = setup();
    for (const p of ['a', 'b', 'c', 'd']) batcher.submit(p, 'k', 1);
    expect(batches).toEqual([['a', 'b', 'c', 'd']]);
  });

  test('a batch never exceeds the max size; the rest wait for the next one', async () => {
    const { clock, batches, batcher, finish, settle } = setup({ preferredBatchSizes: [] });
    batcher.submit('a', 'k', 3);
    batcher.submit('b', 'k', 3);
    batcher.submit('c', 'k', 3);
    batcher.submit('d', 'k', 2);
    expect(batches).toEqual([['a', 'b', 'd']]);
    finish[0]();
    await settle();
    expect(batches).toHaveLength(1);
    clock.advance(10);
    expect(batches[1]).toEqual(['c']);
  });

  test('requests with different keys (shapes) are not merged', () => {
    const { clock, batches, batcher } = setup();
    batcher.submit('a', '2x2', 1);
    batcher.submit('b', '3x3', 1);
    batcher.submit('c', '2x2', 1);
    clock.advance(10);
    expect(batches).toEqual([['a', 'c']]);
  });

  test('requests arriving during a run gather into the next batch', async () => {
    const { batches, batcher, finish, clock, settle } = setup();
    const first = batcher.submit('a', 'k', 1);
    clock.advance(10);
    batcher.submit('b', 'k', 1);
    batcher.submit('c', 'k', 1);
    clock.advance(50);
    expect(batches).toEqual([['a']]);
    finish[0]();
    expect(await first.done).toMatchObject({ result: 'a!', queueMs: 10, batchSize: 1 });
    await settle();
    expect(batches[1]).toEqual(['b', 'c']);
  });

  test('each request gets its own result, queue and compute time', async () => {
    const { batcher, finish, clock } = setup();
    const subs = ['a', 'b', 'c', 'd'].map((p) => batcher.submit(p, 'k', 1));
    clock.advance(7);
    finish[0]();
    const outcomes = await Promise.all(subs.map((s) => s.done));
    expect(outcomes.map((o) => o.result)).toEqual(['a!', 'b!', 'c!', 'd!']);
    expect(outcomes[0]).toMatchObject({ queueMs: 0, computeMs: 7, batchSize: 4 });
  });

  test('a full queue refuses new requests', () => {
    const { batcher } = setup({ maxQueueSize: 2, merge: false });
    batcher.submit('a', 'k', 1); // runs at once, leaving the queue
    batcher.submit('b', 'k', 1);
    batcher.submit('c', 'k', 1);
    expect(batcher.depth).toBe(2);
    expect(() => batcher.submit('d', 'k', 1)).toThrow(QueueFullError);
  });

  test('without merging, requests run one by one in order', async () => {
    const { batches, batcher, finish, settle } = setup({ merge: false });
    for (const p of ['a', 'b', 'c']) batcher.submit(p, 'k', 1);
    expect(batches).toEqual([['a']]);
    finish[0]();
    await settle();
    finish[1]();
    await settle();
    expect(batches).toEqual([['a'], ['b'], ['c']]);
  });

  test('a cancelled request leaves the queue and rejects', async () => {
    const { batches, batcher, clock } = setup();
    const a = batcher.submit('a', 'k', 1);
    expect(a.cancel(new Error('late'))).toBe(true);
    await expect(a.done).rejects.toThrow('late');
    clock.advance(20);
    expect(batches).toEqual([]);
    expect(batcher.depth).toBe(0);
  });

  test('a running request cancelled alone aborts its run, and the next batch starts at once', async () => {
    const { batches, signals, batcher, settle } = setup({ adaptive: true });
    const a = batcher.submit('a', 'k', 1);
    const b = batcher.submit('b', 'k', 1);
    expect(batches).toEqual([['a']]);
    expect(a.cancel(new Error('client gone'))).toBe(true);
    await expect(a.done).rejects.toThrow('client gone');
    expect(signals[0].aborted).toBe(true);
    await settle();
    expect(batches).toEqual([['a'], ['b']]);
    expect(signals[1].aborted).toBe(false);
    expect(a.cancel(new Error('again'))).toBe(false);
    void b;
  });

  test('a batch goes on while any request in it is still waited for', async () => {
    const { batches, signals, batcher, finish, settle } = setup({ adaptive: true });
    batcher.submit('first', 'k', 1);
    const a = batcher.submit('a', 'k', 1);
    const b = batcher.submit('b', 'k', 1);
    finish[0]();
    await settle();
    expect(batches[1]).toEqual(['a', 'b']);
    a.cancel(new Error('late'));
    await expect(a.done).rejects.toThrow('late');
    expect(signals[1].aborted).toBe(false);
    finish[1]();
    expect((await b.done).result).toBe('b!');
    expect(b.cancel(new Error('after'))).toBe(false);
  });

  test('idle resolves once queued and running work is done', async () => {
    const { batcher, finish, settle, clock } = setup({ merge: false });
    batcher.submit('a', 'k', 1);
    batcher.submit('b', 'k', 1);
    let idle = false;
    void batcher.idle().then(() => (idle = true));
    finish[0]();
    await settle();
    expect(idle).toBe(false);
    clock.advance(0);
    finish[1]();
    await settle();
    expect(idle).toBe(true);
  });
});
