import type { Chain } from '../effects';
import { Engine } from '../engine';
import { FRAME_UPLOAD_PATHS } from '../gpu/upload-frame';
import { exportVideo } from '../media/video/export-video';
import { VideoFile } from '../media/video/open-video';
import type { AppState } from '../app/state/app.svelte';

export interface VideoBenchResult {
  size: string;
  codec: string;
  frames: number;
  /** Decode only, in the video worker (the app's path) and on the page. */
  decodeFps: number;
  decodePageFps: number;
  uploadFps: Record<string, number | string>;
  chainFps: number;
  exportFps: number;
}

/** Decode, upload, chain and export rates for one clip (frames per second, whole clip each). */
export async function benchClip(
  app: AppState,
  file: File,
  chain: Chain,
): Promise<VideoBenchResult> {
  const gpu = app.gpu;
  if (!gpu) throw new Error('GPU not ready');
  const video = await VideoFile.open(file);
  const fps = async (run: () => Promise<number>) => {
    const t0 = performance.now();
    const n = await run();
    return n / ((performance.now() - t0) / 1000);
  };
  try {
    const decodeAll = async (from: VideoFile) => {
      let n = 0;
      for await (const frame of from.frames(0)) {
        frame.close();
        n++;
      }
      return n;
    };
    const decodeFps = await fps(() => decodeAll(video));
    const onPage = await VideoFile.open(file, { decoder: 'page' });
    const decodePageFps = await fps(() => decodeAll(onPage)).finally(() => onPage.close());
    const uploadFps: Record<string, number | string> = {};
    for (const path of FRAME_UPLOAD_PATHS) {
      const engine = new Engine(gpu, app.env);
      engine.forceUploadPath(path);
      try {
        uploadFps[path] = await fps(async () => {
          let n = 0;
          for await (const frame of video.frames(0)) {
            try {
              await engine.setSourceFrame(frame.frame);
            } finally {
              frame.close();
            }
            n++;
          }
          await gpu.device.queue.onSubmittedWorkDone();
          if (engine.frameUploader?.path !== path)
            throw new Error(engine.frameUploader?.failures.get(path) ?? 'not used');
          return n;
        });
      } catch (error) {
        uploadFps[path] = `unavailable: ${error instanceof Error ? error.message : error}`;
      } finally {
        engine.destroy();
      }
    }
    // Decode + chain + present, every frame, through the app's own player.
    app.history.replace(chain);
    await app.files.openVideo(file);
    const shownBefore = app.video.shown;
    let chainFrames = 0;
    const chainFps = await fps(async () => {
      app.video.everyFrame = true;
      app.video.loop = false;
      app.video.play();
      while (app.video.playing) await new Promise((r) => setTimeout(r, 10));
      await gpu.device.queue.onSubmittedWorkDone(); // the last frames are done, not just sent
      chainFrames = app.video.shown - shownBefore;
      return chainFrames;
    });
    // Every frame but the one already on screen, or the measurement is not of the whole clip.
    if (chainFrames < video.info.frameCount - 1)
      throw new Error(`playback showed ${chainFrames} of ${video.info.frameCount} frames`);
    const exportEngine = new Engine(gpu, app.env);
    let exported = 0;
    const exportFps = await fps(async () => {
      await exportVideo(
        file,
        { format: 'mp4-avc', height: null, quality: 'medium', chainScale: 1 },
        async (frame, index) => {
          exported++;
          await exportEngine.setSourceFrame(frame);
          return { done: exportEngine.renderToImage(chain, { index }) };
        },
        () => {},
        new AbortController().signal,
      );
      return exported;
    });
    exportEngine.destroy();
    return {
      size: `${video.info.width}×${video.info.height}`,
      codec: video.info.codec,
      frames: video.info.frameCount,
      decodeFps,
      decodePageFps,
      uploadFps,
      chainFps,
      exportFps,
    };
  } finally {
    video.close();
  }
}
