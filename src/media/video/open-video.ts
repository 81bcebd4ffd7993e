import {
  ALL_FORMATS,
  BlobSource,
  EncodedPacketSink,
  Input,
  VideoSampleSink,
  type InputVideoTrack,
} from 'mediabunny';
import { MediaError } from '../load-image';
import { own, type OwnedFrame } from './frames';

export interface VideoInfo {
  container: string;
  codec: string;
  width: number;
  height: number;
  /** Seconds. */
  duration: number;
  /** Frames per second from the packet count and duration (the source's own rate). */
  frameRate: number;
  frameCount: number;
  audio: string | null;
}

const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|webm|mkv)$/i;

export function looksLikeVideo(file: { name: string; type?: string }): boolean {
  return VIDEO_EXTENSIONS.test(file.name) || (file.type ?? '').startsWith('video/');
}

/**
 * A video file opened for decoding: demuxed by mediabunny, decoded by WebCodecs. Frames come out
 * as `OwnedFrame`s, which the caller closes. `close()` ends it.
 */
export class VideoFile {
  readonly name: string;
  /** The file itself (export reads it again from the start). */
  readonly source: Blob;
  readonly info: VideoInfo;
  /** Packet timestamps in presentation order (seconds): the frames the file holds. */
  readonly timestamps: readonly number[];
  readonly #input: Input;
  readonly #sink: VideoSampleSink | null;
  readonly #element: HTMLVideoElement | null;
  /** How frames are decoded: WebCodecs, or a <video> element when WebCodecs cannot. */
  readonly decoder: 'webcodecs' | 'element';
  #closed = false;

  private constructor(
    source: Blob & { name: string },
    input: Input,
    track: InputVideoTrack,
    info: VideoInfo,
    timestamps: number[],
    element: HTMLVideoElement | null,
  ) {
    this.name = source.name;
    this.source = source;
    this.#input = input;
    this.#element = element;
    this.#sink = element ? null : new VideoSampleSink(track);
    this.decoder = element ? 'element' : 'webcodecs';
    this.info = info;
    this.timestamps = timestamps;
  }

  /** Opens a file; anything it cannot play is a MediaError naming the file and why. */
  static async open(
    file: Blob & { name: string },
    options: { decoder?: 'auto' | 'element' } = {},
  ): Promise<VideoFile> {
    if (file.size === 0) throw new MediaError(file.name, 'the file is empty (0 bytes).');
    const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
    try {
      const format = await input.getFormat().catch(() => null);
      if (!format)
        throw new MediaError(
          file.name,
          'not a video container this app reads (MP4, MOV, WebM, MKV).',
        );
      const track = await input.getPrimaryVideoTrack();
      if (!track) {
        // No tracks at all: the index (an MP4's moov, say) is missing — cut off or damaged.
        const tracks = await input.getTracks().catch(() => []);
        throw new MediaError(
          file.name,
          tracks.length === 0
            ? 'the file is damaged or truncated (no tracks could be read).'
            : 'the file has no video track.',
        );
      }
      const webCodecs =
        options.decoder !== 'element' &&
        typeof VideoDecoder !== 'undefined' &&
        !!track.codec &&
        (await track.canDecode());
      // WebCodecs cannot: a <video> element may still play it (the browser's own pipeline).
      const element = webCodecs ? null : await openElement(file);
      if (!webCodecs && !element) {
        throw new MediaError(
          file.name,
          `its video codec (${track.codec ?? 'unknown'}) cannot be decoded by this browser.`,
        );
      }
      const timestamps: number[] = [];
      for await (const packet of new EncodedPacketSink(track).packets())
        timestamps.push(packet.timestamp);
      if (timestamps.length === 0)
        throw new MediaError(file.name, 'the video track has no frames.');
      timestamps.sort((a, b) => a - b);
      const duration = await input.computeDuration();
      const audio = await input.getPrimaryAudioTrack();
      const info: VideoInfo = {
        container: format.name,
        codec: track.codec ?? 'unknown',
        width: track.displayWidth,
        height: track.displayHeight,
        duration,
        frameCount: timestamps.length,
        frameRate: timestamps.length / Math.max(duration, 1e-6),
        audio: audio?.codec ?? null,
      };
      return new VideoFile(file, input, track, info, timestamps, element);
    } catch (error) {
      input.dispose();
      if (error instanceof MediaError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new MediaError(file.name, `the file is damaged or truncated (${reason}).`);
    }
  }

  /** The frame shown at `time` (seconds): the last one starting at or before it. */
  async frameAt(time: number): Promise<OwnedFrame | null> {
    this.#check();
    if (this.#element) return this.#elementFrame(this.#frameStart(time));
    const sample = await this.#sink!.getSample(Math.max(time, this.timestamps[0]));
    if (!sample) return null;
    try {
      return own(sample.toVideoFrame());
    } finally {
      sample.close();
    }
  }

  /** Every frame from `start` (seconds) on, in presentation order. */
  async *frames(start = 0): AsyncGenerator<OwnedFrame> {
    this.#check();
    if (this.#element) {
      const first = this.#frameStart(start);
      for (const t of this.timestamps) {
        if (t < first) continue;
        this.#check();
        yield await this.#elementFrame(t);
      }
      return;
    }
    for await (const sample of this.#sink!.samples(start)) {
      let owned: OwnedFrame;
      try {
        owned = own(sample.toVideoFrame());
      } finally {
        sample.close();
      }
      yield owned;
    }
  }

  /** The index of the frame shown at `time`: the last starting at or before it (binary search). */
  indexAt(time: number): number {
    const ts = this.timestamps;
    let lo = 0;
    let hi = ts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ts[mid] <= time + 1e-6) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The start of the frame shown at `time`. */
  #frameStart(time: number): number {
    return this.timestamps[this.indexAt(time)];
  }

  /** The element's frame starting at `t`: seek to the middle of it, then capture. */
  async #elementFrame(t: number): Promise<OwnedFrame> {
    const video = this.#element!;
    const i = this.timestamps.indexOf(t);
    const next = this.timestamps[i + 1] ?? t + 1 / Math.max(this.info.frameRate, 1);
    await new Promise<void>((resolve, reject) => {
      video.onseeked = () => resolve();
      video.onerror = () => reject(new Error(video.error?.message || 'the video element failed'));
      video.currentTime = (t + next) / 2;
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
    return own(new VideoFrame(video, { timestamp: Math.round(t * 1e6) }));
  }

  #check(): void {
    if (this.#closed) throw new Error('the video was closed');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#input.dispose();
    if (this.#element) {
      URL.revokeObjectURL(this.#element.src);
      this.#element.removeAttribute('src');
      this.#element.load();
    }
  }
}

/** A <video> element that has loaded the file's first frame, or null if it cannot play it. */
async function openElement(file: Blob): Promise<HTMLVideoElement | null> {
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
  if (ok) return video;
  URL.revokeObjectURL(video.src);
  return null;
}
