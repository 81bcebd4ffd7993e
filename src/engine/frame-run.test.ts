// A frame whose device is lost while it moves to the CPU: the move fails, and nothing it left
// behind fails unobserved (an unhandled rejection is a page error; the soak counted four in 90
// losses, "A valid external Instance reference no longer exists."). A lost device cannot be made
// on cue in a browser, so this GPU fails every asynchronous call, as a lost one does.
import { afterEach, expect, test, vi } from 'vitest';
import { emptyCounters } from '../gpu/counters';
import type { GpuContext } from '../gpu/device';
import { FrameRun, type FrameRunHost } from './frame-run';

const LOST = 'A valid external Instance reference no longer exists.';

function lostGpu(): GpuContext {
  const encoder = { copyTextureToBuffer() {}, finish: () => ({}) };
  const device = {
    createCommandEncoder: () => encoder,
    queue: { onSubmittedWorkDone: () => Promise.reject(new Error(LOST)) },
  };
  return {
    device,
    counters: emptyCounters(),
    submit() {},
    destroy() {},
    createBuffer: () => ({ mapAsync: () => Promise.reject(new Error(LOST)) }),
  } as unknown as GpuContext;
}

// The WebGPU flag constants the readback names (Node has no WebGPU globals).
vi.stubGlobal('GPUBufferUsage', { MAP_READ: 1, COPY_DST: 8 });
vi.stubGlobal('GPUMapMode', { READ: 1 });

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
afterEach(() => void process.off('unhandledRejection', onUnhandled));

test.each([false, true])(
  'a readback on a lost device fails the frame and leaves no unhandled rejection (clean %s)',
  async (clean) => {
    process.on('unhandledRejection', onUnhandled);
    const host: FrameRunHost = {
      gpu: lostGpu(),
      pool: {} as FrameRunHost['pool'],
      upload: () => ({}) as GPUTexture,
      now: () => 0,
    };
    const texture = { width: 4, height: 2, label: 't' } as GPUTexture;
    const run = new FrameRun(host, {
      index: 0,
      measurement: { gpu: [], cpu: [], transfers: [] } as unknown as FrameRun['measurement'],
      clean,
      overlapping: false,
      source: texture,
      lender: null,
    });
    run.recorded(0); // a GPU stage in the encoder: its segment is timed when submitted
    await expect(run.toCpu()).rejects.toThrow(LOST);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(unhandled).toEqual([]);
  },
);

test('a clean segment during which an AI runtime sharing the GPU ran is not clean; one alone is', async () => {
  let now = 0;
  let shared: [number, number] | null = null;
  const gpu = {
    device: {
      createCommandEncoder: () => ({ finish: () => ({}) }),
      queue: { onSubmittedWorkDone: async () => void (now += 40) },
    },
    counters: emptyCounters(),
    submit() {},
  } as unknown as GpuContext;
  const host: FrameRunHost = {
    gpu,
    pool: {} as FrameRunHost['pool'],
    upload: () => ({}) as GPUTexture,
    now: () => now,
    sharedGpuBusy: (from, to) => !!shared && shared[0] < to && shared[1] > from,
  };
  const run = new FrameRun(host, {
    index: 0,
    measurement: { gpu: [], cpu: [], transfers: [] } as unknown as FrameRun['measurement'],
    clean: true,
    overlapping: true,
    source: {} as GPUTexture,
    lender: null,
  });
  run.recorded(0);
  await run.submitAndWait(); // 0 → 40 ms, nothing else on the GPU
  shared = [50, 70]; // the other frame's model on tfjs-webgpu
  run.recorded(1);
  await run.submitAndWait(); // 40 → 80 ms, the model ran in it
  expect(run.measurement.gpu.map((g) => [g.indices, g.ms, g.clean])).toEqual([
    [[0], 40, true],
    [[1], 40, false],
  ]);
});
