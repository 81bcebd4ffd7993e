// The device lifecycle on a real GPUDevice from Dawn in Node (src/gpu/dawn-node.ts): losses are
// real `device.destroy()` calls, and each recovery a new device.
import { dawnGpu } from '../gpu/dawn-node';
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/device';
import { DeviceLifecycle, MAX_RECOVERY_ATTEMPTS, type DeviceEvents } from './device';
import { HOST_TIMERS } from './timers';

const entry = dawnGpu();

/** A lifecycle whose events are recorded; `onReady` runs inside the `ready` event. */
function lifecycle(onReady: (gpu: GpuContext) => void = () => {}) {
  const log: string[] = [];
  const devices: GpuContext[] = [];
  const events: DeviceEvents = {
    ready: async (gpu) => {
      devices.push(gpu);
      log.push(`ready ${devices.length}`);
      onReady(gpu);
    },
    lost: (gpu, _message, recovering) =>
      log.push(`lost ${devices.indexOf(gpu) + 1}${recovering ? ', recovering' : ''}`),
    error: (message) => log.push(`error ${message}`),
    status: (status) => log.push(status),
  };
  const device = new DeviceLifecycle({ compatibility: true, gpu: entry }, events, HOST_TIMERS);
  return { device, log, devices };
}

describe('the GPU device lifecycle (Dawn in Node)', () => {
  it('creates a device, and after a loss a new one; waiters see the new one', async () => {
    const { device, log, devices } = lifecycle();
    await device.start();
    expect(device.status).toBe('ready');
    expect(device.generation).toBe(1);
    const first = device.gpu!;
    const waiting = device.whenReady(first);
    device.lose();
    expect(await waiting).toBe(true);
    expect(await device.wasLost(first)).toBe(true);
    expect(device.gpu).not.toBe(first);
    expect(device.gpu).toBe(devices[1]);
    expect(device.generation).toBe(2);
    expect(log).toEqual([
      'ready 1',
      'ready',
      'lost 1, recovering',
      'recovering',
      'ready 2',
      'ready',
    ]);
    // The new device works.
    const buffer = device.gpu!.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM });
    expect(buffer.size).toBe(16);
    device.dispose();
    expect(await device.whenReady(devices[1], 50)).toBe(false);
  });

  it('a wait that times out leaves no waiter behind', async () => {
    const { device } = lifecycle();
    await device.start();
    // Waiting for a device other than the current one, which is never lost: it times out.
    expect(await device.whenReady(device.gpu, 30)).toBe(false);
    expect(device.waiting).toBe(0);
    const waiting = device.whenReady(device.gpu, 10_000);
    await Promise.resolve();
    expect(device.waiting).toBe(1);
    device.lose();
    expect(await waiting).toBe(true);
    expect(device.waiting).toBe(0);
    device.dispose();
  });

  it(`gives up after ${MAX_RECOVERY_ATTEMPTS} losses in a row, saying why`, async () => {
    // Each device is lost while its resources are being built.
    const { device, log } = lifecycle((gpu) => gpu.loseDevice());
    const started = device.start();
    expect(await device.whenReady(null, 10_000)).toBe(false);
    await started;
    expect(device.status).toBe('unavailable');
    expect(device.problem).toMatch(`lost ${MAX_RECOVERY_ATTEMPTS} times in a row`);
    expect(log.filter((l) => l.startsWith('ready '))).toHaveLength(MAX_RECOVERY_ATTEMPTS + 1);
    expect(log.at(-1)).toBe('unavailable');
    expect(device.gpu).toBeNull();
  });

  it('reports the current device’s errors, and a new device’s after a loss', async () => {
    const { device, log } = lifecycle();
    await device.start();
    // A validation error: a mappable storage buffer.
    const invalid = (gpu: GpuContext) =>
      gpu.device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    const first = device.gpu!;
    invalid(first);
    await expect.poll(() => log.filter((l) => l.startsWith('error')).length).toBe(1);
    const waiting = device.whenReady(first);
    device.lose();
    expect(await waiting).toBe(true);
    invalid(device.gpu!);
    await expect.poll(() => log.filter((l) => l.startsWith('error')).length).toBe(2);
    device.dispose();
  });

  it('a device that is not lost is not reported lost', async () => {
    const { device } = lifecycle();
    await device.start();
    const gpu = device.gpu!;
    const timers = { ...HOST_TIMERS, sleep: () => Promise.resolve() };
    const quick = new DeviceLifecycle(
      { gpu: entry },
      { ready() {}, lost() {}, error() {}, status() {} },
      timers,
    );
    expect(await quick.wasLost(gpu)).toBe(false);
    device.dispose();
  });
});
