import type { AppState } from '../app/state/app.svelte';
import { createImage, type RgbaImage } from '../core/image';
import { exportVideo, type ExportOptions } from '../media/video/export-video';

export const blankOf = (frame: VideoFrame) => createImage(frame.displayWidth, frame.displayHeight);

/**
 * Exports the open video (VP9, low quality) with `render` making each frame instead of the chain:
 * the error it ended with (null: it finished) and after how long.
 */
export async function exportBlankFrames(
  app: AppState,
  options: Partial<ExportOptions>,
  render: (frame: VideoFrame, index: number) => Promise<RgbaImage>,
): Promise<{ error: string | null; seconds: number }> {
  const file = app.video.file;
  if (!file) throw new Error('no video');
  const t0 = performance.now();
  let error: string | null = null;
  try {
    await exportVideo(
      file.source,
      { format: 'webm-vp9', height: null, quality: 'low', chainScale: 1, ...options },
      async (frame, index) => ({ done: render(frame, index) }),
      () => {},
      new AbortController().signal,
    );
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  return { error, seconds: (performance.now() - t0) / 1000 };
}
