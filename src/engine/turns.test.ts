import { describe, expect, it } from 'vitest';
import { DeviceQueues, Turns } from './turns';

describe('Turns', () => {
  it('the first turn is ready at once; each later one when all before it are done', async () => {
    const turns = new Turns();
    const [a, b, c] = [turns.take(), turns.take(), turns.take()];
    expect([a.isReady(), b.isReady(), c.isReady()]).toEqual([true, false, false]);
    const order: string[] = [];
    const waits = [c.ready().then(() => order.push('c')), b.ready().then(() => order.push('b'))];
    c.done(); // finishing out of turn (a failed frame) does not let anyone jump the line
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(b.isReady()).toBe(false);
    a.done();
    expect(b.isReady()).toBe(true);
    expect(c.isReady()).toBe(false);
    b.done();
    expect(c.isReady()).toBe(true);
    await Promise.all(waits);
    expect(order).toEqual(['b', 'c']);
  });

  it('done twice is harmless, and turns taken after everything finished are ready', () => {
    const turns = new Turns();
    const a = turns.take();
    a.done();
    a.done();
    const b = turns.take();
    expect(b.isReady()).toBe(true);
    b.done();
    expect(turns.take().isReady()).toBe(true);
  });

  it('a long line resolves in order whatever order the frames finish in', async () => {
    const turns = new Turns();
    const line = Array.from({ length: 20 }, () => turns.take());
    const presented: number[] = [];
    const all = line.map((t, i) => t.ready().then(() => presented.push(i)));
    // Finish in a scrambled order: each frame finishes only after it was presented, except
    // the odd ones, which give up early.
    for (let i = 19; i >= 0; i -= 2) line[i].done();
    for (let i = 0; i < 20; i += 2) {
      await line[i].ready();
      line[i].done();
    }
    await Promise.all(all);
    expect(presented).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('DeviceQueues', () => {
  /** A job that records when it starts and ends, and finishes when told to. */
  function job(log: string[], name: string) {
    let finish!: (fail?: boolean) => void;
    const work = () =>
      new Promise<string>((resolve, reject) => {
        log.push(`${name} start`);
        finish = (fail) => {
          log.push(`${name} end`);
          if (fail) reject(new Error(`${name} failed`));
          else resolve(name);
        };
      });
    return { work, finish: (fail?: boolean) => finish(fail) };
  }
  const tick = () => new Promise((r) => setTimeout(r, 0));

  it('runs one job at a time per device, in order, and devices side by side', async () => {
    const queues = new DeviceQueues();
    const log: string[] = [];
    const [a, b, c] = [job(log, 'a'), job(log, 'b'), job(log, 'c')];
    const results = [
      queues.run('cpu', a.work),
      queues.run('cpu', b.work),
      queues.run('ort-wasm', c.work),
    ];
    await tick();
    // b waits for a; c is on another device and starts at once.
    expect(log).toEqual(['a start', 'c start']);
    a.finish();
    await tick();
    expect(log).toEqual(['a start', 'c start', 'a end', 'b start']);
    b.finish();
    c.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    await tick();
    expect(queues.busy).toBe(0);
  });

  it('says whether a device ran a job in a span of time: running, or ran and ended inside it', async () => {
    let now = 0;
    const queues = new DeviceQueues(() => now);
    const log: string[] = [];
    const a = job(log, 'a');
    now = 100;
    const done = queues.run('tfjs-webgpu', a.work);
    await tick();
    now = 150;
    expect(queues.ranBetween(['tfjs-webgpu'], 120, 150)).toBe(true); // running now
    expect(queues.ranBetween(['tfjs-webgpu'], 50, 90)).toBe(false); // before it started
    expect(queues.ranBetween(['ort-webgpu'], 120, 150)).toBe(false); // another device
    now = 200;
    a.finish();
    await done;
    now = 300;
    expect(queues.ranBetween(['ort-webgpu', 'tfjs-webgpu'], 190, 300)).toBe(true); // ended inside
    expect(queues.ranBetween(['tfjs-webgpu'], 210, 300)).toBe(false); // ended before
  });

  it('a failed job fails its own caller only; the next job on the device still runs', async () => {
    const queues = new DeviceQueues();
    const log: string[] = [];
    const [a, b] = [job(log, 'a'), job(log, 'b')];
    const first = queues.run('gpu', a.work);
    const second = queues.run('gpu', b.work);
    await tick();
    a.finish(true);
    await expect(first).rejects.toThrow('a failed');
    await tick();
    b.finish();
    await expect(second).resolves.toBe('b');
  });
});
