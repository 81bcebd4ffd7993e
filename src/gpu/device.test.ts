// GpuContext on a real device (Dawn in Node): whether failed work's device is being lost.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { dawnGpu } from './dawn-node';
import { GpuContext } from './device';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const entry = dawnGpu();

const create = () =>
  GpuContext.create(
    { compatibility: true, gpu: entry },
    () => {},
    () => {},
  );

describe('GpuContext.lostUnder', () => {
  it('answers false for a device that is not lost, and keeps nothing of the question', async () => {
    const gpu = await create();
    let ref!: WeakRef<Promise<boolean>>;
    await (async () => {
      const asked = gpu.lostUnder(1);
      ref = new WeakRef(asked);
      expect(await asked).toBe(false);
    })();
    await new Promise((r) => setTimeout(r, 0));
    gc();
    // Raced with the device's long-lived `lost` promise, every answer stayed reachable from it
    // until the device went (the failure paths of the video player and the ML runner ask).
    expect(ref.deref()).toBeUndefined();
    expect(gpu.waitingOnLoss).toBe(0);
    gpu.device.destroy();
  });

  it('answers true when the device is lost while it waits, and at once after', async () => {
    const gpu = await create();
    const asked = gpu.lostUnder(10_000);
    expect(gpu.waitingOnLoss).toBe(1);
    gpu.loseDevice();
    expect(await asked).toBe(true);
    expect(gpu.waitingOnLoss).toBe(0);
    expect(await gpu.lostUnder(10_000)).toBe(true);
  });
});
