// With frames in flight, a texture that a frame's recorded but unsubmitted commands still read
// must not reach another frame: a queue write into it (another frame's upload, which runs on the
// queue at once) would land before this frame's commands run. The pool and the frame's
// bookkeeping are the real ones; the GPU only counts submits (Node has no WebGPU here).
import { expect, test, vi } from 'vitest';
import { emptyCounters } from '../../gpu/counters';
import type { GpuContext } from '../../gpu/device';
import { DeferredReleases, TexturePool } from '../../gpu/texture-pool';
import type { StageSpec } from '../../effects/chain';
import { FrameRun, type FrameRunHost } from '../frame-run';
import type { RunnerContext } from './context';
import { runGpuStage } from './gpu';

// The WebGPU flag constants the pool names when it loads (Node has no WebGPU globals).
vi.hoisted(() =>
  Object.assign(globalThis, {
    GPUTextureUsage: { TEXTURE_BINDING: 4, STORAGE_BINDING: 8, COPY_SRC: 1, COPY_DST: 2 },
  }),
);

function countingGpu() {
  let submits = 0;
  let serial = 0;
  const gpu = {
    device: {
      createCommandEncoder: () => ({ finish: () => ({}) }),
      queue: { onSubmittedWorkDone: () => Promise.resolve() },
    },
    counters: emptyCounters(),
    createTexture: (d: GPUTextureDescriptor) => {
      const [width, height] = d.size as number[];
      return { width, height, label: `t${serial++}` } as GPUTexture;
    },
    submit: () => void submits++,
    destroy() {},
    destroyWhenDone() {},
  } as unknown as GpuContext;
  return { gpu, submits: () => submits };
}

/** A frame on a real pool (an upload takes a pooled texture, as the engine's does). */
function frameOnPool(overlapping: boolean, clean = false) {
  const { gpu, submits } = countingGpu();
  const pool = new TexturePool(gpu);
  const host: FrameRunHost = { gpu, pool, upload: () => pool.acquire(4, 2), now: () => 0 };
  const source = gpu.createTexture({ size: [4, 2], format: 'rgba8unorm', usage: 0 });
  const run = new FrameRun(host, {
    index: 0,
    measurement: { frame: 0, cpu: [], gpu: [], ml: [], transfers: [] },
    clean,
    overlapping,
    source,
    lender: overlapping ? new DeferredReleases(pool) : null,
  });
  return { pool, run, submits };
}

test.each([
  ['a stage’s input', false],
  ['a stage’s own work texture', true],
])(
  'with two frames in flight, %s goes back to the pool only once the commands reading it are submitted',
  (_, intermediate) => {
    const { pool, run, submits } = frameOnPool(true);
    // The frame's pixels in a pooled texture (an upload after a CPU stage), read by the next
    // stage; a stage like unsharp also takes a work texture of its own and gives it back.
    const input = pool.acquire(4, 2);
    run.pixels = { on: 'gpu', texture: input };
    let own: GPUTexture | null = null;
    const ctx = {
      gpuStage: () => ({
        encode: ({ pool: lender }: { pool: Pick<TexturePool, 'acquire' | 'release'> }) => {
          own = lender.acquire(4, 2);
          lender.release(own);
        },
      }),
    } as unknown as RunnerContext;
    const spec = { id: 's', effect: 'vignette', enabled: true, params: {} } as StageSpec;
    expect(runGpuStage(ctx, run, pool, spec, 0, { index: 0 })).toBeUndefined(); // recorded now
    expect(submits()).toBe(0);
    const watched = intermediate ? own! : input;
    // Another frame takes textures for its upload before this frame submits.
    const taken = [pool.acquire(4, 2), pool.acquire(4, 2), pool.acquire(4, 2)];
    expect(taken).not.toContain(watched);
    for (const t of taken) pool.release(t);
    run.flush();
    expect(submits()).toBe(1);
    // Submitted: now it may go to another frame.
    const after = [pool.acquire(4, 2), pool.acquire(4, 2), pool.acquire(4, 2), pool.acquire(4, 2)];
    expect(after).toContain(watched);
  },
);

test('with one frame in flight, a stage’s input goes back at once (no other frame can take it)', () => {
  const { pool, run } = frameOnPool(false);
  const input = pool.acquire(4, 2);
  run.pixels = { on: 'gpu', texture: input };
  const ctx = { gpuStage: () => ({ encode() {} }) } as unknown as RunnerContext;
  const spec = { id: 's', effect: 'vignette', enabled: true, params: {} } as StageSpec;
  runGpuStage(ctx, run, pool, spec, 0, { index: 0 });
  expect(pool.freeCount).toBe(1);
  expect(pool.acquire(4, 2)).toBe(input);
});

test.each([
  [true, true],
  [true, false],
  [false, false],
])(
  'a stage recorded after a wait (an upload first) is submitted in the same callback where frames overlap (overlapping %s, clean %s)',
  async (overlapping, clean) => {
    const { pool, run, submits } = frameOnPool(overlapping, clean);
    // The frame comes back from a CPU stage: the stage uploads it, then records.
    run.pixels = { on: 'cpu', image: { width: 4, height: 2, data: new Uint8ClampedArray(32) } };
    // What the stage wrote is read by the GPU at submit: here, whether it was submitted before
    // the caller (and any other frame waiting in the same task) could run again.
    let submittedWhenRecorded = -1;
    const ctx = {
      gpuStage: () => ({
        encode() {
          submittedWhenRecorded = submits();
        },
      }),
    } as unknown as RunnerContext;
    const spec = { id: 's', effect: 'vignette', enabled: true, params: {} } as StageSpec;
    const recording = runGpuStage(ctx, run, pool, spec, 0, { index: 0 });
    expect(recording).toBeInstanceOf(Promise);
    await recording;
    expect(submittedWhenRecorded).toBeGreaterThanOrEqual(0);
    // Overlapping: submitted before the caller resumes; alone: left for the next stages.
    expect(run.dirty).toBe(!overlapping);
    expect(submits() > submittedWhenRecorded).toBe(overlapping);
  },
);
