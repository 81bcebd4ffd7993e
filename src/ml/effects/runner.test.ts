// The runner's side of a model's failure: it is the target's (`ModelFailure`, same message), and
// a runtime restarted under the run (its own GPU device lost) loads the model again at once.
// The runtime here stands in for the browser's workers (Node has no WebGPU); e2e/ai-targets
// loses the real runtimes' devices.
import { readFileSync } from 'node:fs';
import { expect, test, vi } from 'vitest';
import { createImage } from '../../effects/image';
import type { ModelEntry, ModelRuntimes } from '../runtime/load';
import type { MlModel, TensorData } from '../runtime/tensor-data';
import { ModelFailure } from './model-failure';
import { MlEffectRunner } from './runner';

// The WebGPU flag constants the GPU side names when it loads (Node has no WebGPU globals).
vi.hoisted(() =>
  Object.assign(globalThis, {
    GPUTextureUsage: { TEXTURE_BINDING: 4, STORAGE_BINDING: 8, COPY_SRC: 1, COPY_DST: 2 },
    GPUBufferUsage: { STORAGE: 128, COPY_DST: 8, COPY_SRC: 4, UNIFORM: 64, MAP_READ: 1 },
  }),
);

const MANIFEST = (
  JSON.parse(readFileSync('public/models/manifest.json', 'utf8')) as { models: ModelEntry[] }
).models;

/** A runtime whose device can be lost: a loss makes its models stale, as a restart does. */
function restartableRuntime() {
  let generation = 0;
  let lost = false;
  const load = vi.fn(async (): Promise<MlModel> => {
    const born = generation;
    return {
      target: 'ort-webgpu',
      firstRunMs: null,
      lastRunMs: null,
      get stale() {
        return born !== generation;
      },
      async run(input: TensorData) {
        if (lost) {
          lost = false;
          generation++; // the worker restarts when its device is found lost
          throw new Error('ort-webgpu’s GPU device was lost (destroyed)');
        }
        return { data: new Float32Array(input.dims[1] * input.dims[2]).fill(1), dims: [] };
      },
      async release() {},
    };
  });
  const runtimes: ModelRuntimes = {
    targets: ['ort-webgpu'],
    ready: [['ort-webgpu', 'test']],
    manifest: async () => MANIFEST,
    availability: async () => ({ available: true, detail: 'test' }),
    load,
  };
  return { runtimes, load, lose: () => (lost = true) };
}

test('a runtime’s own device lost under a run: the frame sees a ModelFailure with its message, and the model loads again before any frame asks', async () => {
  const { runtimes, load, lose } = restartableRuntime();
  const runner = new MlEffectRunner(runtimes, () => {});
  const frame = createImage(8, 8);
  const run = () => runner.runOnCpu('show-mask', 'ort-webgpu', frame, {}, {} as never);
  await run();
  expect(load).toHaveBeenCalledTimes(1);
  lose();
  const failure = await run().catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(ModelFailure);
  expect((failure as ModelFailure).message).toBe('ort-webgpu’s GPU device was lost (destroyed)');
  expect((failure as ModelFailure).target).toBe('ort-webgpu');
  // The reload started with the failure, not with the next frame.
  await vi.waitFor(() => expect(runner.isReady('show-mask', 'ort-webgpu')).toBe(true));
  expect(load).toHaveBeenCalledTimes(2);
  await expect(run()).resolves.toMatchObject({ width: 8, height: 8 });
  expect(load).toHaveBeenCalledTimes(2);
});

test('a model that cannot load is its target’s failure too', async () => {
  const { runtimes } = restartableRuntime();
  runtimes.load = async () => {
    throw new Error('the endpoint is not reachable');
  };
  const runner = new MlEffectRunner(runtimes, () => {});
  const failure = await runner
    .runOnCpu('show-mask', 'ort-webgpu', createImage(8, 8), {}, {} as never)
    .catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(ModelFailure);
  expect((failure as Error).message).toBe('the endpoint is not reachable');
});
