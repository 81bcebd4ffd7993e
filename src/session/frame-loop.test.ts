import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FrameLoop } from './frame-loop';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A frame the test finishes by hand. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A loop whose display frames the test runs by hand, and whose frames it finishes by hand. */
function harness(limit: number) {
  const frames: { resolve: () => void }[] = [];
  const callbacks: (() => void)[] = [];
  let started = 0;
  const loop: FrameLoop<void> = new FrameLoop<void>(
    () => limit,
    async () => {
      await loop.room();
      const frame = deferred();
      frames.push(frame);
      started++;
      loop.track(frame.promise);
    },
    (callback) => callbacks.push(callback),
  );
  const displayFrame = async () => {
    for (const cb of callbacks.splice(0)) cb();
    await Promise.resolve();
  };
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { loop, frames, displayFrame, settle, started: () => started };
}

describe('the frame loop', () => {
  it('renders once per display frame however often it is asked', async () => {
    const h = harness(2);
    h.loop.request();
    h.loop.request();
    h.loop.request();
    await h.displayFrame();
    await h.settle();
    expect(h.started()).toBe(1);
  });

  it('never has more frames in flight than the limit, and renders a frame asked for meanwhile once one ends', async () => {
    const h = harness(2);
    for (let i = 0; i < 3; i++) {
      h.loop.request();
      await h.displayFrame();
      await h.settle();
    }
    expect(h.started()).toBe(2);
    expect(h.loop.running).toBe(2);
    h.frames[0].resolve();
    await h.settle();
    await h.displayFrame(); // the frame asked for while full
    await h.settle();
    expect(h.started()).toBe(3);
    expect(h.loop.running).toBe(2);
  });

  it('`slot` waits for room; `idle` waits for every frame and request', async () => {
    const h = harness(1);
    h.loop.request();
    await h.displayFrame();
    await h.settle();
    let slot = false;
    void h.loop.slot().then(() => (slot = true));
    let idle = false;
    void h.loop.idle().then(() => (idle = true));
    await h.settle();
    expect([slot, idle]).toEqual([false, false]);
    h.frames[0].resolve();
    await h.settle();
    expect(slot).toBe(true);
    await h.displayFrame();
    await h.settle();
    expect(idle).toBe(true);
  });

  it('a frame run alone starts after the frames before it and before any asked for during it', async () => {
    const h = harness(2);
    h.loop.request();
    await h.displayFrame();
    await h.settle();
    const order: string[] = [];
    const alone = h.loop.alone(async () => {
      await h.loop.room({ alone: true });
      order.push(`alone starts with ${h.loop.running} in flight`);
      const frame = deferred();
      const tracked = h.loop.track(frame.promise);
      setTimeout(() => frame.resolve(), 5);
      await tracked;
      order.push('alone done');
    });
    // Asked for while the alone frame waits or runs: must wait for it.
    void h.loop.room().then(() => order.push('other may start'));
    await h.settle();
    expect(order).toEqual([]); // the first frame is still in flight
    h.frames[0].resolve();
    await alone;
    await h.settle();
    expect(order).toEqual(['alone starts with 0 in flight', 'alone done', 'other may start']);
  });

  it('a source waits in slot while maxOnGpu finished frames still run on the GPU; a single frame does not', async () => {
    const gpuWork: { resolve: () => void }[] = [];
    const loop = new FrameLoop<number>(
      () => 4,
      () => {},
      () => {},
      2,
    );
    const tick = () => new Promise((r) => setTimeout(r, 0));
    // Two frames that finish at once (GPU-only frames finish at submit), their GPU work pending.
    for (let i = 0; i < 2; i++) {
      await loop.slot();
      loop.track(Promise.resolve(i), () => {
        const work = deferred();
        gpuWork.push(work);
        return work.promise;
      });
      await tick();
    }
    expect(loop.running).toBe(0);
    expect(loop.onGpu).toBe(2);
    let sourceMayGo = false;
    let singleMayGo = false;
    void loop.slot().then(() => (sourceMayGo = true));
    void loop.room().then(() => (singleMayGo = true));
    await tick();
    expect(sourceMayGo).toBe(false); // 2 on the GPU: full for a source, though none is in flight
    expect(singleMayGo).toBe(true);
    gpuWork[1].resolve();
    await tick();
    expect(sourceMayGo).toBe(true);
    expect(loop.onGpu).toBe(1);
  });

  it('GPU work lost with its device no longer holds the queue shut (it may never settle)', async () => {
    const loop = new FrameLoop<number>(
      () => 4,
      () => {},
      () => {},
      2,
    );
    const tick = () => new Promise((r) => setTimeout(r, 0));
    // Two frames whose GPU work never settles: the device went away under them (seen in the
    // chaos test: after a second loss a clip stopped showing frames for good).
    for (let i = 0; i < 2; i++) {
      loop.track(Promise.resolve(i), () => new Promise<void>(() => {}));
      await tick();
    }
    expect(loop.onGpu).toBe(2);
    let sourceMayGo = false;
    void loop.slot().then(() => (sourceMayGo = true));
    await tick();
    expect(sourceMayGo).toBe(false);
    loop.gpuWorkLost();
    await tick();
    expect(sourceMayGo).toBe(true);
    expect(loop.onGpu).toBe(0);
  });

  it('a source that waited in slot leaves nothing of the frames it waited for behind', async () => {
    const loop = new FrameLoop<{ pixels: Uint8Array }>(
      () => 1,
      () => {},
      () => {},
    );
    let ref!: WeakRef<object>;
    await (async () => {
      const frame = deferred();
      const result = { pixels: new Uint8Array(1 << 20) };
      ref = new WeakRef(result);
      loop.track(frame.promise.then(() => result));
      const waited = loop.slot(); // full: one in flight
      frame.resolve();
      await waited;
    })();
    await new Promise((r) => setTimeout(r, 0));
    gc();
    // Raced with one promise that settles only at a device loss, every wait kept the result of
    // the frame it waited for, for as long as the device lived (a frame of playback a wait).
    expect(ref.deref()).toBeUndefined();
  });
});
