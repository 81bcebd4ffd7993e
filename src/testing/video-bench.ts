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
  /** The same rates with the GPU's memory unchecked, where the adapter checks it (else null). */
  unchecked: { chainFps: number; exportFps: number } | null;
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
    // Decode + chain + present, every frame, through the app's own player; with the GPU's
    // memory checked where the adapter has it on (compatibility mode), and without, in turn.
    app.history.replace(chain);
    await app.files.openVideo(file);
    const play = async (checked: boolean) => {
      const engine = app.engine;
      if (!engine) throw new Error('GPU not ready');
      const before = engine.guardsMemory;
      engine.guardsMemory = checked && before;
      await app.video.seek(0);
      const shownBefore = app.video.shown;
      let chainFrames = 0;
      const rate = await fps(async () => {
        app.video.everyFrame = true;
        app.video.loop = false;
        app.video.play();
        while (app.video.playing) await new Promise((r) => setTimeout(r, 10));
        await gpu.device.queue.onSubmittedWorkDone(); // the last frames are done, not just sent
        chainFrames = app.video.shown - shownBefore;
        return chainFrames;
      });
      engine.guardsMemory = before;
      // Every frame but the one already on screen, or the measurement is not of the whole clip.
      if (chainFrames < video.info.frameCount - 1)
        throw new Error(`playback showed ${chainFrames} of ${video.info.frameCount} frames`);
      return rate;
    };
    const exportRate = async (checked: boolean) => {
      const exportEngine = new Engine(gpu, app.env);
      exportEngine.guardsMemory &&= checked;
      let exported = 0;
      const rate = await fps(async () => {
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
      return rate;
    };
    const result = (
      rates: { chainFps: number; exportFps: number },
      unchecked: VideoBenchResult['unchecked'],
    ): VideoBenchResult => ({
      size: `${video.info.width}×${video.info.height}`,
      codec: video.info.codec,
      frames: video.info.frameCount,
      decodeFps,
      decodePageFps,
      uploadFps,
      ...rates,
      unchecked,
    });
    const checks = app.engine?.guardsMemory ?? false;
    if (!checks) {
      const chainFps = await play(true);
      const exportFps = await exportRate(true);
      return result({ chainFps, exportFps }, null);
    }
    // Where memory is checked, the same without, in the same run (what the checks cost): checked,
    // unchecked, unchecked, checked, so a machine that drifts one way weighs on both alike.
    const mean = (a: number, b: number) => (a + b) / 2;
    const [c1, u1, u2, c2] = [
      await play(true),
      await play(false),
      await play(false),
      await play(true),
    ];
    const [e1, f1, f2, e2] = [
      await exportRate(true),
      await exportRate(false),
      await exportRate(false),
      await exportRate(true),
    ];
    return result(
      { chainFps: mean(c1, c2), exportFps: mean(e1, e2) },
      { chainFps: mean(u1, u2), exportFps: mean(f1, f2) },
    );
  } finally {
    video.close();
  }
}
