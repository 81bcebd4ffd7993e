import { describe, expect, it } from 'vitest';
import { runBatch, type BatchWorker } from './batch';

/** Virtual time: jobs finish in order of their due time; nothing here waits on the wall clock. */
class VirtualTime {
  now = 0;
  #due: { at: number; finish: () => void }[] = [];
  readonly clock = () => this.now;

  after<T>(ms: number, value: () => T): Promise<T> {
    return new Promise((resolve, reject) =>
      this.#due.push({
        at: this.now + ms,
        finish: () => {
          try {
            resolve(value());
          } catch (error) {
            reject(error as Error);
          }
        },
      }),
    );
  }

  /** Runs until `promise` settles, finishing jobs in time order. */
  async run<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      await new Promise((r) => setTimeout(r, 0)); // let the batch take its next items
      this.#due.sort((a, b) => a.at - b.at);
      const next = this.#due.shift();
      if (!next) continue;
      this.now = next.at;
      next.finish();
    }
    return promise;
  }
}

function worker(
  time: VirtualTime,
  id: string,
  ms: number,
  failAt = Infinity,
): BatchWorker<number, string> {
  let runs = 0;
  return {
    id,
    run: (item) =>
      time.after(ms, () => {
        if (++runs >= failAt) throw new Error(`${id} broke`);
        return `${item}@${id}`;
      }),
  };
}

describe('runBatch', () => {
  it('processes every item once, in its place, faster targets taking more', async () => {
    const time = new VirtualTime();
    const items = Array.from({ length: 20 }, (_, i) => i);
    const result = await time.run(
      runBatch(items, [worker(time, 'fast', 10), worker(time, 'slow', 30)], {
        clock: time.clock,
        tailAware: false,
      }),
    );
    expect(result.outputs.map((o) => Number(o.split('@')[0]))).toEqual(items);
    expect(result.byTarget.fast + result.byTarget.slow).toBe(20);
    expect(result.byTarget.fast).toBe(15);
    expect(result.ms).toBe(150);
  });

  it('a target with two slots holds two items at once (a round trip that is mostly waiting)', async () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const run = async (slots: number) => {
      const time = new VirtualTime();
      const remote = { ...worker(time, 'remote', 40), slots };
      return time.run(runBatch(items, [remote], { clock: time.clock, tailAware: false }));
    };
    const one = await run(1);
    const two = await run(2);
    expect(one.ms).toBe(400);
    expect(two.ms).toBe(200);
    expect(two.outputs.map((o) => Number(o.split('@')[0]))).toEqual(items);
  });

  it('two targets beat one on the same items', async () => {
    const items = Array.from({ length: 12 }, (_, i) => i);
    const one = new VirtualTime();
    const alone = await one.run(
      runBatch(items, [worker(one, 'gpu', 10)], { clock: one.clock, tailAware: true }),
    );
    const two = new VirtualTime();
    const both = await two.run(
      runBatch(items, [worker(two, 'gpu', 10), worker(two, 'remote', 15)], {
        clock: two.clock,
        tailAware: true,
      }),
    );
    expect(alone.ms).toBe(120);
    expect(both.ms).toBeLessThan(alone.ms * 0.7);
  });

  it('tail-aware, a target far slower than the rest does not hold up the end', async () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const run = async (tailAware: boolean) => {
      const time = new VirtualTime();
      return time.run(
        runBatch(items, [worker(time, 'gpu', 10), worker(time, 'wasm', 100)], {
          clock: time.clock,
          tailAware,
        }),
      );
    };
    const greedy = await run(false);
    const aware = await run(true);
    // Greedy: wasm's second item ends at 200 ms. Aware: after its first (which measures it),
    // wasm steps aside, as the GPU alone finishes the rest sooner (at 190 ms).
    expect(greedy.ms).toBe(200);
    expect(aware.ms).toBe(190);
    expect(aware.byTarget).toEqual({ gpu: 19, wasm: 1 });
  });

  it('a failing target’s item goes to another, and the failure is reported', async () => {
    const time = new VirtualTime();
    const items = Array.from({ length: 8 }, (_, i) => i);
    const result = await time.run(
      runBatch(items, [worker(time, 'remote', 10, 3), worker(time, 'gpu', 10)], {
        clock: time.clock,
        tailAware: true,
      }),
    );
    expect(result.outputs.every((o) => typeof o === 'string')).toBe(true);
    expect(result.byTarget).toEqual({ remote: 2, gpu: 6 });
    expect(result.failures).toEqual({ remote: 'remote broke' });
  });

  it('a target with no slot stands by: it takes items only once the others have failed', async () => {
    const items = Array.from({ length: 8 }, (_, i) => i);
    const run = async (failAt: number) => {
      const time = new VirtualTime();
      const standby = { ...worker(time, 'ort-node', 5), slots: 0 };
      return time.run(
        runBatch(items, [worker(time, 'remote', 10, failAt), standby], {
          clock: time.clock,
          tailAware: true,
        }),
      );
    };
    expect((await run(Infinity)).byTarget).toEqual({ remote: 8, 'ort-node': 0 });
    const failed = await run(3);
    expect(failed.byTarget).toEqual({ remote: 2, 'ort-node': 6 });
    expect(failed.outputs.every((o) => typeof o === 'string')).toBe(true);
  });

  it('fails, naming each target, when every target fails', async () => {
    const time = new VirtualTime();
    await expect(
      time.run(
        runBatch([1, 2], [worker(time, 'a', 5, 1), worker(time, 'b', 5, 1)], {
          clock: time.clock,
          tailAware: false,
        }),
      ),
    ).rejects.toThrow('every target failed (a: a broke; b: b broke)');
  });

  it('stops when aborted', async () => {
    const time = new VirtualTime();
    const abort = new AbortController();
    const items = Array.from({ length: 10 }, (_, i) => i);
    const batch = runBatch(items, [worker(time, 'gpu', 10)], {
      clock: time.clock,
      tailAware: false,
      signal: abort.signal,
      onItem: (done) => done === 3 && abort.abort(),
    });
    await expect(time.run(batch)).rejects.toThrow();
  });
});
