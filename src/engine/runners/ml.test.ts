// An AI stage that fails: is it the target's failure (fail over now) or the app's GPU device
// being lost under the frame (fail the frame; the session renders it again)? Only the second
// waits on the device (up to 2 s), and a model's own failure — an endpoint gone, a runtime
// whose own device was lost — held every such frame that long before this distinction.
import { expect, test, vi } from 'vitest';
import { emptyCounters } from '../../gpu/counters';
import type { GpuContext } from '../../gpu/device';
import { TexturePool } from '../../gpu/texture-pool';
import type { StageSpec } from '../../effects/chain';
import type { MlTarget } from '../../core/targets';
import { ModelFailure } from '../../ml/effects/model-failure';
import type { MlEffectRunner } from '../../ml/effects/runner';
import { FrameRun } from '../frame-run';
import { DeviceQueues } from '../turns';
import type { Ran, RunnerContext } from './context';
import { runMlStage } from './ml';

vi.hoisted(() =>
  Object.assign(globalThis, {
    GPUTextureUsage: { TEXTURE_BINDING: 4, STORAGE_BINDING: 8, COPY_SRC: 1, COPY_DST: 2 },
  }),
);

const SPEC = { id: 'm', effect: 'show-mask', enabled: true, params: {} } as StageSpec;

/** A frame on the GPU, the Show mask stage placed on ort-webgpu, ort-wasm ready behind it. */
function stageThatFails(failure: Error, deviceLost: boolean) {
  const lostUnder = vi.fn(async () => deviceLost);
  const gpu = {
    isLost: false,
    lostUnder,
    device: { createCommandEncoder: () => ({ finish: () => ({}) }) },
    counters: emptyCounters(),
    createTexture: (d: GPUTextureDescriptor) => {
      const [width, height] = d.size as number[];
      return { width, height } as GPUTexture;
    },
    submit() {},
    destroy() {},
    destroyWhenDone() {},
  } as unknown as GpuContext;
  const pool = new TexturePool(gpu);
  const source = pool.acquire(4, 2);
  const run = new FrameRun(
    { gpu, pool, upload: () => pool.acquire(4, 2), now: () => 0 },
    {
      index: 0,
      live: true,
      measurement: { frame: 0, cpu: [], gpu: [], ml: [], transfers: [] },
      clean: false,
      overlapping: false,
      source,
      lender: null,
    },
  );
  run.pixels = { on: 'gpu', texture: source };
  const ml = {
    targets: ['ort-webgpu', 'ort-wasm'] as MlTarget[],
    runsOnGpu: () => true,
    isReady: () => true,
    takeRoundTrips: async () => null,
    runOnGpu: async (_effect: string, target: MlTarget) => {
      if (target === 'ort-webgpu') throw failure;
      return pool.acquire(4, 2);
    },
  } as unknown as MlEffectRunner;
  const failed = vi.fn();
  const ctx = {
    placer: { failed },
    devices: new DeviceQueues(),
    ml,
    env: {},
    now: () => 0,
    onStageFailure: null,
  } as unknown as RunnerContext;
  const ran: Ran = [];
  const stage = runMlStage(ctx, gpu, run, SPEC, 0, 'ort-webgpu', ran);
  return { stage, ran, lostUnder, failed };
}

test('a model’s own failure (a runtime’s own device lost) fails over at once, without waiting on the app’s device', async () => {
  const lost = new ModelFailure('ort-webgpu', new Error('ort-webgpu’s GPU device was lost'));
  const { stage, ran, lostUnder, failed } = stageThatFails(lost, false);
  await stage;
  expect(lostUnder).not.toHaveBeenCalled();
  expect(failed).toHaveBeenCalledWith('ort-webgpu', 'ort-webgpu’s GPU device was lost');
  expect(ran).toEqual([{ stage: 'm', target: 'ort-wasm', failedOver: true }]);
});

test('a failure of the GPU side’s own work waits to learn whether the app’s device is being lost, and then fails the frame', async () => {
  const { stage, lostUnder, failed } = stageThatFails(new Error('mapAsync failed'), true);
  await expect(stage).rejects.toThrow('mapAsync failed');
  expect(lostUnder).toHaveBeenCalledOnce();
  expect(failed).not.toHaveBeenCalled(); // no target failed: the frame did
});

test('a GPU-side failure on a device that stays is the target’s: the stage fails over', async () => {
  const { stage, ran, lostUnder, failed } = stageThatFails(new Error('mapAsync failed'), false);
  await stage;
  expect(lostUnder).toHaveBeenCalledOnce();
  expect(failed).toHaveBeenCalledOnce();
  expect(ran[0]).toMatchObject({ target: 'ort-wasm', failedOver: true });
});
