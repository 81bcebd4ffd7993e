import type { FrameFeed } from '../../session/compare/frames';
import type { AppState } from './app.svelte';

/**
 * The current source as a feed of frames: the 3D scene (held, drawn at fixed times), the video
 * (paused, read from its first frame; a short clip loops) or the still image. A camera's frames
 * differ from run to run, so it cannot be compared.
 */
export async function frameFeed(app: AppState): Promise<FrameFeed> {
  const engine = () => {
    if (!app.engine) throw new Error('the GPU is not ready');
    return app.engine;
  };
  if (app.scene.active) {
    app.scene.hold();
    let i = 0;
    return {
      name: `3D scene, ${app.scene.width}×${app.scene.height}`,
      restart: async () => {
        i = 0;
      },
      next: async () => app.scene.draw(i++ / 30),
      close: async () => app.scene.resume(),
    };
  }
  const file = app.video.file;
  if (file) {
    await app.video.pause();
    let frames = file.frames(0);
    return {
      name: `${file.name}, ${file.info.width}×${file.info.height}`,
      restart: async () => {
        await frames.return(undefined);
        frames = file.frames(0);
      },
      next: async () => {
        let r = await frames.next();
        if (r.done) {
          frames = file.frames(0); // a short clip loops: still the same frames each run
          r = await frames.next();
        }
        if (r.done) throw new Error('the video has no frames');
        try {
          await engine().setSourceFrame(r.value.frame);
        } finally {
          r.value.close();
        }
      },
      close: async () => {
        await frames.return(undefined);
        await app.video.seek(app.video.time); // the frame that was on screen, again
      },
    };
  }
  if (app.camera.camera)
    throw new Error(
      'compare runs on an image, a video or the 3D scene (a camera’s frames differ from run to run)',
    );
  if (!app.image) throw new Error('open an image or a video first');
  return {
    name: `${app.image.name}, ${app.image.width}×${app.image.height}`,
    restart: async () => {},
    next: async () => {},
    close: async () => {},
  };
}
