import { own, type OwnedFrame } from './frames';

/**
 * Decodes with a <video> element: the browser's own pipeline, for codecs WebCodecs lacks. Each
 * frame is captured after seeking to the middle of it (slow: a fallback, not a player).
 */
export class ElementDecoder {
  readonly #video: HTMLVideoElement;

  private constructor(video: HTMLVideoElement) {
    this.#video = video;
  }

  /** An element that has loaded the file's first frame, or null if it cannot play it. */
  static async open(file: Blob): Promise<ElementDecoder | null> {
    if (typeof document === 'undefined') return null;
    const video = document.createElement('video');
    video.muted = true;
    video.preload = 'auto';
    video.src = URL.createObjectURL(file);
    const ok = await new Promise<boolean>((resolve) => {
      video.onloadeddata = () => resolve(video.videoWidth > 0);
      video.onerror = () => resolve(false);
      setTimeout(() => resolve(false), 10_000);
    });
    video.onloadeddata = null;
    video.onerror = null;
    if (ok) return new ElementDecoder(video);
    URL.revokeObjectURL(video.src);
    return null;
  }

  /** The frame that starts at `start` and ends at `end` (seconds), stamped with `start`. */
  async frame(start: number, end: number): Promise<OwnedFrame> {
    const video = this.#video;
    await new Promise<void>((resolve, reject) => {
      video.onseeked = () => resolve();
      video.onerror = () => reject(new Error(video.error?.message || 'the video element failed'));
      video.currentTime = (start + end) / 2;
    });
    // 'seeked' can come before the new frame is ready to be captured: wait for it to be
    // presented (a seek that lands on the frame already shown presents nothing: time out).
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 250);
      video.requestVideoFrameCallback(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return own(new VideoFrame(video, { timestamp: Math.round(start * 1e6) }));
  }

  close(): void {
    URL.revokeObjectURL(this.#video.src);
    this.#video.removeAttribute('src');
    this.#video.load();
  }
}
