import type { Chain } from '../effects/chain';
import type { RgbaImage } from '../core/image';
import type { Engine } from '../engine';
import type { GpuContext } from '../gpu/device';
import {
  exportVideo,
  type ExportOptions,
  type ExportProgress,
  type ExportResult,
} from '../media/video/export-video';
import { MAX_RECOVERY_ATTEMPTS, type DeviceLifecycle } from './device';
import { failOnLoss } from './lost-work';
import type { Timers } from './timers';

/** What an export needs of the session. */
export interface ExportHost {
  device: DeviceLifecycle;
  /** A new engine on `gpu`, set up as the app's (placement, AI runner, frames in flight). */
  createEngine(gpu: GpuContext): Engine;
  /** Resolves once the AI runtimes are on the current device (after a loss). */
  mlReady(): Promise<void>;
  timers: Timers;
}

/**
 * Exports a video through `chain`, every frame, on an engine of its own (the viewer is not
 * disturbed). A GPU device lost under a frame: the export waits for the new device and renders
 * that frame again on it, so the file still has every frame once. Rejects on failure or when
 * `signal` aborts; `peakRunning` says how many frames overlapped at most.
 */
export async function exportThroughChain(
  host: ExportHost,
  source: Blob,
  chain: Chain,
  options: ExportOptions,
  onProgress: (progress: ExportProgress) => void,
  signal: AbortSignal,
): Promise<{ result: ExportResult; peakRunning: number }> {
  let engine: Engine | null = null;
  /** An engine on the current device (a new one after a loss). */
  const engineNow = (): Engine => {
    const gpu = host.device.gpu;
    if (!gpu) throw new Error('the GPU is not available');
    if (engine?.gpu !== gpu) {
      engine?.destroy();
      engine = host.createEngine(gpu);
    }
    return engine;
  };
  /** Frames take the source one at a time: set it, then start the frame that copies it. */
  let sourceTurn: Promise<unknown> = Promise.resolve();
  const takeSource = <T>(work: () => Promise<T>): Promise<T> => {
    const run = sourceTurn.then(work);
    sourceTurn = run.catch(() => {});
    return run;
  };
  const render = async (frame: VideoFrame, index: number): Promise<RgbaImage> => {
    for (let losses = 0; ; losses++) {
      // With frames in flight, a frame can start between a loss and the new device: it waits
      // for the device instead of failing the export.
      if (!host.device.gpu && !(await host.device.whenReady(null)))
        throw new Error('the GPU is not available');
      const current = engineNow();
      try {
        const { done } = await takeSource(async () => {
          await current.setSourceFrame(frame);
          // Wrapped: the turn ends when the frame has taken its source, not when it is done.
          return { done: current.renderToImage(chain, { index }) };
        });
        // Failed (and rendered again below) if its device is lost, even if its GPU work hangs.
        return await failOnLoss(current.gpu, done, host.timers);
      } catch (error) {
        const recovered =
          losses < MAX_RECOVERY_ATTEMPTS &&
          !signal.aborted &&
          (await host.device.wasLost(current.gpu)) &&
          (await host.device.whenReady(current.gpu));
        if (!recovered) throw error;
        await host.mlReady(); // AI stages run on the new device too
      }
    }
  };
  try {
    const result = await exportVideo(
      source,
      options,
      async (frame, index) => {
        const done = render(frame, index);
        // Started once it has taken its source (or failed trying).
        await Promise.race([sourceTurn, done.catch(() => {})]);
        return { done };
      },
      onProgress,
      signal,
    );
    return { result, peakRunning: (engine as Engine | null)?.peakRunning ?? 0 };
  } finally {
    (engine as Engine | null)?.destroy();
  }
}
