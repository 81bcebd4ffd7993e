// The checks beside a run of frames, on a real device (Dawn in Node): a canary written once from
// known bytes is loaded by a kernel and written into a corner of each free work texture, a canary
// written over in place (as Chromium's GL backend does, with no error) is found, and the checks
// are paced: one at a time, no more often than the interval.
import { describe, expect, it } from 'vitest';
import { dawnContext } from './dawn-context.test-support';
import { canaryPixels, CheckPace, FrameWatch, WATCH_INTERVAL_MS } from './frame-watch';
import { readTexture } from './readback';
import { POOL_USAGE } from './texture-pool';

const context = dawnContext();

const settled = async (gpu: ReturnType<typeof context>) => {
  await gpu.device.queue.onSubmittedWorkDone();
  await new Promise((resolve) => setTimeout(resolve, 0));
};

describe('CheckPace', () => {
  it('runs a check no more often than its interval, one at a time', async () => {
    let now = 1000;
    const pace = new CheckPace(() => now);
    let answer: (n: number) => void = () => {};
    const first = pace.ifDue(() => new Promise<number>((resolve) => (answer = resolve)));
    expect(first).not.toBeNull();
    now += WATCH_INTERVAL_MS; // due by the clock, but the first has not answered yet
    expect(pace.ifDue(async () => 0)).toBeNull();
    answer(3);
    expect(await first).toBe(3);
    expect(await pace.ifDue(async () => 0)).toBe(0);
    now += WATCH_INTERVAL_MS - 1;
    expect(pace.ifDue(async () => 0)).toBeNull();
    now += 1;
    expect(await pace.ifDue(async () => 0)).toBe(0);
    // A check a frame waited for counts: the next beside the frames is an interval later.
    now += WATCH_INTERVAL_MS;
    pace.checked();
    expect(pace.ifDue(async () => 0)).toBeNull();
  });
});

describe('FrameWatch', () => {
  it('writes the canary into a corner of each free work texture, finds it blacked out, and frees what it made', async () => {
    const gpu = context();
    const live = { textures: gpu.counters.liveTextures, buffers: gpu.counters.liveBuffers };
    const watch = new FrameWatch(gpu);
    const work = gpu.createTexture({
      label: 'work',
      size: [160, 90],
      format: 'rgba8unorm',
      usage: POOL_USAGE,
    });
    const readbacks = gpu.counters.readbacks;
    // The work texture stands in for a changing source too: its kernel loads match its copies.
    expect(await watch.check(work, [work])).toBe(0);
    expect(gpu.counters.readbacks).toBe(readbacks); // not one of the frames' readbacks
    const corner = await readTexture(gpu, work, undefined, { x: 0, y: 0, width: 64, height: 3 });
    expect(Array.from(corner.data)).toEqual(Array.from(canaryPixels()));
    watch.blackOut();
    // Every byte of the canary's three rows, loaded by the kernel and in the work texture's corner.
    expect(await watch.check(null, [work])).toBe(2 * 64 * 3 * 4);
    watch.destroy();
    gpu.destroy(work);
    await settled(gpu);
    expect(gpu.counters.liveTextures).toBe(live.textures);
    expect(gpu.counters.liveBuffers).toBe(live.buffers);
  });
});
