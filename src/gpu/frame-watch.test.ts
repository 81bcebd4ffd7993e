// The watch beside a changing source's frames, on a real device (Dawn in Node): a canary written
// once from known bytes is loaded by a kernel and written into a corner of each free work texture
// no more often than its interval, and a canary written over in place (as Chromium's GL backend
// does, with no error) is found.
import { describe, expect, it } from 'vitest';
import { dawnContext } from './dawn-context.test-support';
import { canaryPixels, FrameWatch, WATCH_INTERVAL_MS } from './frame-watch';
import { readTexture } from './readback';
import { POOL_USAGE } from './texture-pool';

const context = dawnContext();

const settled = async (gpu: ReturnType<typeof context>) => {
  await gpu.device.queue.onSubmittedWorkDone();
  await new Promise((resolve) => setTimeout(resolve, 0));
};

describe('FrameWatch', () => {
  it('checks no more often than its interval, one check at a time', async () => {
    const gpu = context();
    let now = 1000;
    const watch = new FrameWatch(gpu, () => now);
    const first = watch.checkIfDue(null, []);
    expect(first).not.toBeNull();
    now += WATCH_INTERVAL_MS; // due by the clock, but the first has not answered yet
    expect(watch.checkIfDue(null, [])).toBeNull();
    expect(await first).toBe(0);
    const second = watch.checkIfDue(null, []);
    expect(second).not.toBeNull();
    expect(await second).toBe(0);
    now += WATCH_INTERVAL_MS - 1;
    expect(watch.checkIfDue(null, [])).toBeNull();
    now += 1;
    expect(await watch.checkIfDue(null, [])).toBe(0);
    watch.destroy();
    await settled(gpu);
  });

  it('writes the canary into a corner of each free work texture, finds it blacked out, and frees what it made', async () => {
    const gpu = context();
    const live = { textures: gpu.counters.liveTextures, buffers: gpu.counters.liveBuffers };
    let now = 0;
    const watch = new FrameWatch(gpu, () => now);
    const work = gpu.createTexture({
      label: 'work',
      size: [160, 90],
      format: 'rgba8unorm',
      usage: POOL_USAGE,
    });
    const readbacks = gpu.counters.readbacks;
    expect(await watch.checkIfDue(null, [work])).toBe(0);
    expect(gpu.counters.readbacks).toBe(readbacks); // not one of the frames' readbacks
    const corner = await readTexture(gpu, work, undefined, { x: 0, y: 0, width: 64, height: 3 });
    expect(Array.from(corner.data)).toEqual(Array.from(canaryPixels()));
    watch.blackOut();
    now += WATCH_INTERVAL_MS;
    // Every byte of the canary's three rows, loaded by the kernel and in the work texture's corner.
    expect(await watch.checkIfDue(null, [work])).toBe(2 * 64 * 3 * 4);
    watch.destroy();
    gpu.destroy(work);
    await settled(gpu);
    expect(gpu.counters.liveTextures).toBe(live.textures);
    expect(gpu.counters.liveBuffers).toBe(live.buffers);
  });
});
