import type { Chain } from '../effects/chain';
import type { RgbaImage } from '../core/image';
import { HeldWrongError, type Engine } from '../engine';
import type { GpuContext } from '../gpu/device';
import {
  exportVideo,
  type ExportOptions,
  type ExportProgress,
  type ExportResult,
} from '../media/video/export-video';
import { MAX_RECOVERY_ATTEMPTS, type DeviceLifecycle } from './device';
import { decodedRegion, meanDifference, probeRegion, SOURCE_TOLERANCE } from './export-check';
import { failOnLoss } from './lost-work';
import { HELD_WRONG } from './session';
import type { Timers } from './timers';

/** What an export needs of the session. */
export interface ExportHost {
  device: DeviceLifecycle;
  /** A new engine on `gpu`, set up as the app's (placement, AI runner, frames in flight). */
  createEngine(gpu: GpuContext): Engine;
  /** Resolves once the AI runtimes are on the current device (after a loss). */
  mlReady(): Promise<void>;
  timers: Timers;
  /** Fault injection (tests): runs after each frame's upload, before its chain. */
  afterUpload?: (engine: Engine, index: number) => void;
}

/** A frame whose source, read back from the GPU, was not the decoded frame. */
export interface SourceMismatch {
  frame: number;
  /** Mean difference from the decoded frame, levels of 255. */
  difference: number;
}

/**
 * Exports a video through `chain`, every frame, on an engine of its own (the viewer is not
 * disturbed). A GPU device lost under a frame: the export waits for the new device and renders
 * that frame again on it, so the file still has every frame once. Each frame's source is read back
 * with its result and checked against the decoded frame: one the GPU held wrong is rendered again
 * on a new device (`mismatches`), and a second time stops the export. Rejects on failure or when
 * `signal` aborts; `peakRunning` says how many frames overlapped at most.
 */
export async function exportThroughChain(
  host: ExportHost,
  source: Blob,
  chain: Chain,
  options: ExportOptions,
  onProgress: (progress: ExportProgress) => void,
  signal: AbortSignal,
): Promise<{ result: ExportResult; peakRunning: number; mismatches: SourceMismatch[] }> {
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
  /** Frames whose source the GPU held wrong: each was rendered again on a new device. */
  const mismatches: SourceMismatch[] = [];
  const render = async (frame: VideoFrame, index: number): Promise<RgbaImage> => {
    for (let losses = 0; ; losses++) {
      // With frames in flight, a frame can start between a loss and the new device: it waits
      // for the device instead of failing the export.
      if (!host.device.gpu && !(await host.device.whenReady(null)))
        throw new Error('the GPU is not available');
      const current = engineNow();
      const region = probeRegion(frame.visibleRect!.width, frame.visibleRect!.height);
      let rendered: { image: RgbaImage; source: RgbaImage };
      try {
        const { done } = await takeSource(async () => {
          await current.setSourceFrame(frame);
          host.afterUpload?.(current, index);
          // Wrapped: the turn ends when the frame has taken its source, not when it is done.
          return { done: current.renderToImageWithSource(chain, { index }, region) };
        });
        // Failed (and rendered again below) if its device is lost, even if its GPU work hangs.
        rendered = await failOnLoss(current.gpu, done, host.timers);
      } catch (error) {
        // The canary checked with the frame found the GPU's memory wrong (the frame was not given
        // out): a new device, as after a loss, and the frame is rendered again on it.
        if (error instanceof HeldWrongError && host.device.gpu === current.gpu)
          host.device.lose(`${HELD_WRONG}: ${error.message}.`);
        const recovered =
          losses < MAX_RECOVERY_ATTEMPTS &&
          !signal.aborted &&
          (await host.device.wasLost(current.gpu)) &&
          (await host.device.whenReady(current.gpu));
        if (!recovered) throw error;
        await host.mlReady(); // AI stages run on the new device too
        continue;
      }
      // The chain's input, as the GPU held it, against the decoded frame: a GPU that returns
      // other pixels with no error (Chromium's GL backend, after a while) must not write them.
      const decoded = await decodedRegion(frame, region);
      const difference = decoded ? meanDifference(rendered.source, decoded) : 0;
      if (difference <= SOURCE_TOLERANCE) return rendered.image;
      const tried = mismatches.filter((m) => m.frame === index).length;
      mismatches.push({ frame: index, difference });
      if (tried > 0 || losses >= MAX_RECOVERY_ATTEMPTS || signal.aborted)
        throw new Error(
          `the GPU held frame ${index + 1} with pixels that are not the video's (${difference.toFixed(0)} levels apart), ${tried > 0 ? 'even on a new GPU device' : 'with no new GPU device left to try'}, so the export stopped rather than write wrong frames`,
        );
      // A new device, as after a loss; this frame (and those in flight) are rendered on it. Frames
      // in flight that found the same device wrong wait for the one new device.
      if (host.device.gpu === current.gpu) host.device.lose();
      if (!(await host.device.whenReady(current.gpu))) throw new Error('the GPU is not available');
      await host.mlReady();
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
    return { result, peakRunning: (engine as Engine | null)?.peakRunning ?? 0, mismatches };
  } finally {
    (engine as Engine | null)?.destroy();
  }
}
