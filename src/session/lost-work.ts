import type { GpuContext } from '../gpu/device';
import type { Timers } from './timers';

/** How long work may still finish after its device was lost before it is failed (ms). */
export const LOST_WORK_GRACE_MS = 500;

/** Work running on each device, to fail if the device is lost (one loss listener a device). */
const running = new WeakMap<GpuContext, Set<(error: Error) => void>>();

/**
 * `work` (a frame, on `gpu`), or a failure once `gpu` has been lost for `LOST_WORK_GRACE_MS`. A
 * lost device's GPU work can stay pending for good (Dawn's GL backend when the browser's GPU
 * process dies), and whatever waits on it — a pause, an export, the next frame — would wait with
 * it: in CI an export never started, because the pause before it waited on the frame on screen.
 */
export function failOnLoss<T>(gpu: GpuContext, work: Promise<T>, timers: Timers): Promise<T> {
  let pending = running.get(gpu);
  if (!pending) {
    const set = new Set<(error: Error) => void>();
    pending = set;
    running.set(gpu, set);
    void gpu.device.lost.then(async () => {
      await timers.sleep(LOST_WORK_GRACE_MS);
      for (const fail of set) fail(new Error('the GPU device was lost under this frame'));
      set.clear();
    });
  }
  const set = pending;
  let fail: (error: Error) => void = () => {};
  const abandoned = new Promise<never>((_, reject) => (fail = reject));
  set.add(fail);
  return Promise.race([work.finally(() => set.delete(fail)), abandoned]);
}
