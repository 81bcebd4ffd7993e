import type { CompareCell } from '../../perf/report';
import type { CompareHost } from './host';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs one strategy's measurement; if the GPU device was lost under it (the host makes a new
 * one), waits for the new device and runs it again (the cell says so). Failures become the
 * cell's error: that strategy's cell, not the whole Compare.
 */
export async function withRecovery(
  host: CompareHost,
  attempt: () => Promise<CompareCell>,
  signal: AbortSignal,
): Promise<CompareCell> {
  for (let tries = 0; ; tries++) {
    const { generation, gpu } = host.device();
    try {
      const cell = await attempt();
      // Frames lost with the device are rendered again on the new one, so the run can finish
      // through a loss: its times then hold the outage. Measured again, unless the loss keeps
      // coming back.
      if (host.device().generation !== generation && tries < 2) {
        if (await gpuReady(host, signal)) continue;
      }
      return tries === 0
        ? cell
        : {
            ...cell,
            remeasured: `The GPU device was lost during this strategy's run: it was measured again on the new device (${tries === 1 ? 'once' : `${tries} times`}).`,
          };
    } catch (error) {
      if (signal.aborted) throw error;
      // A lost device's promise settles a little after the work that failed on it.
      await host.timers.sleep(300);
      const now = host.device();
      const lost = !!gpu?.isLost || now.generation !== generation || !now.ready;
      if (!lost || tries >= 2 || !(await gpuReady(host, signal)))
        return { rate: null, count: 0, ms: 0, error: messageOf(error) };
    }
  }
}

/**
 * Waits (up to 20 s) for a working GPU device after a loss, and a moment more: the ML runtimes
 * move to the new device just after it is ready.
 */
async function gpuReady(host: CompareHost, signal: AbortSignal): Promise<boolean> {
  for (let waited = 0; waited < 20_000; waited += 100) {
    signal.throwIfAborted();
    const device = host.device();
    if (device.ready && !device.gpu?.isLost) {
      await host.timers.sleep(1000);
      return host.device().ready;
    }
    await host.timers.sleep(100);
  }
  return false;
}
