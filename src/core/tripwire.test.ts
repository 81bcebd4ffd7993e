import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Tripwire } from './tripwire';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Whether a result that went through `call` is still reachable once it is done. */
async function retained(call: (result: object) => Promise<unknown>): Promise<boolean> {
  let ref!: WeakRef<object>;
  await (async () => {
    const result = { pixels: new Uint8Array(1024) };
    ref = new WeakRef(result);
    await call(result);
  })();
  await new Promise((r) => setTimeout(r, 0));
  gc();
  return ref.deref() !== undefined;
}

describe('Tripwire', () => {
  it('passes a guarded result through and keeps no waiter once it settled', async () => {
    const wire = new Tripwire();
    const results = await Promise.all([1, 2, 3].map((n) => wire.guard(Promise.resolve(n))));
    expect(results).toEqual([1, 2, 3]);
    expect(wire.waiting).toBe(0);
    await expect(wire.guard(Promise.reject(new Error('kernel threw')))).rejects.toThrow(
      'kernel threw',
    );
    expect(wire.waiting).toBe(0);
  });

  it('a trip fails the calls still waiting and every later one, with the first error', async () => {
    const wire = new Tripwire();
    const pending = wire.guard(new Promise(() => {}));
    expect(wire.waiting).toBe(1);
    wire.trip(new Error('worker crashed'));
    wire.trip(new Error('a second reason'));
    await expect(pending).rejects.toThrow('worker crashed');
    await expect(wire.guard(Promise.resolve(1))).rejects.toThrow('worker crashed');
    expect(wire.tripped).toBe(true);
    expect(wire.waiting).toBe(0);
  });

  it('keeps no result reachable from the wire (Promise.race with a long-lived promise does)', async () => {
    const wire = new Tripwire();
    expect(await retained((result) => wire.guard(Promise.resolve(result)))).toBe(false);
    // The pattern it replaces, measured the same way: the race's result stays reachable from the
    // long-lived promise's reaction (so this check can see a leak).
    const failed = new Promise<never>(() => {});
    expect(await retained((result) => Promise.race([Promise.resolve(result), failed]))).toBe(true);
  });
});
