import type { Session } from '../../session/session';
import type { FrameSource } from '../../session/source-slot';
import type { FrameSourceHost } from '../../session/frame-source-host';
import { CameraState } from './camera.svelte';
import type { Notices } from './notices.svelte';
import { SceneState } from './scene.svelte';
import { VideoState } from './video.svelte';

/** What the moving sources need of the app besides the session. */
export interface FrameSourcesHost {
  readonly session: Session;
  readonly notices: Notices;
  /** A source now shows (its name and size), or none does: the app's image and view follow. */
  shown(source: { name: string; width: number; height: number } | null): void;
  /** Per-frame effects (grain) are seeded by the frame number. */
  setFrameIndex(index: number): void;
}

/**
 * The video player, the camera and the 3D scene, each a `FrameSource` in the session's one
 * source slot: showing itself, a source takes the slot (the one before is released).
 */
export function createFrameSources(app: FrameSourcesHost): {
  video: VideoState;
  camera: CameraState;
  scene: SceneState;
} {
  const { session } = app;
  const host = (stopped: string, source: () => FrameSource): FrameSourceHost =>
    session.sourceHost({
      showSource: (shown) => {
        if (shown) void session.sources.take(source());
        app.shown(shown);
      },
      setFrameIndex: (index) => app.setFrameIndex(index),
      onError: (reason) =>
        app.notices.error(
          stopped,
          'It stopped on an error; the last frame stays on screen.',
          reason,
        ),
    });
  const video: VideoState = new VideoState(
    host('Playback stopped', () => ({
      restore: () => video.restore(),
      release: () => video.remove(),
    })),
  );
  const camera: CameraState = new CameraState(
    host('Camera stopped', () => ({
      restore: () => camera.restore(),
      release: () => camera.stop(),
    })),
  );
  const scene: SceneState = new SceneState(
    host('3D scene stopped', () => ({
      restore: () => scene.restore(),
      release: () => scene.stop(),
    })),
  );
  return { video, camera, scene };
}
