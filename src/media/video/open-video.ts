import { MediaError } from '../load-image';
import { pageBackend, workerBackend, type DemuxBackend } from './demux-backend';
import type { VideoInfo } from './demuxer';
import { ElementDecoder } from './element-decoder';
import { own, type OwnedFrame } from './frames';

export type { VideoInfo } from './demuxer';

/** Where frames are decoded: 'auto' = WebCodecs in a worker (on the page if none starts). */
export type DecoderPreference = 'auto' | 'page' | 'element';

const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|webm|mkv)$/i;

export function looksLikeVideo(file: { name: string; type?: string }): boolean {
  return VIDEO_EXTENSIONS.test(file.name) || (file.type ?? '').startsWith('video/');
}

/**
 * A video file opened for decoding: demuxed by mediabunny and decoded by WebCodecs in a worker
 * (the page only receives finished VideoFrames), or by a <video> element where WebCodecs cannot.
 * Frames come out as `OwnedFrame`s, which the caller closes. `close()` ends it.
 */
export class VideoFile {
  readonly name: string;
  /** The file itself (export reads it again from the start). */
  readonly source: Blob;
  readonly info: VideoInfo;
  /** Packet timestamps in presentation order (seconds): the frames the file holds. */
  readonly timestamps: readonly number[];
  /** How frames are decoded: WebCodecs, or a <video> element when WebCodecs cannot. */
  readonly decoder: 'webcodecs' | 'element';
  #backend: DemuxBackend;
  #reviving: Promise<DemuxBackend> | null = null;
  readonly #element: ElementDecoder | null;
  #closed = false;
  /** Video workers started again after one died (each takes over from where the last stopped). */
  workerRestarts = 0;

  private constructor(
    source: Blob & { name: string },
    backend: DemuxBackend,
    opened: { info: VideoInfo; timestamps: number[] },
    element: ElementDecoder | null,
  ) {
    this.name = source.name;
    this.source = source;
    this.#backend = backend;
    this.#element = element;
    this.decoder = element ? 'element' : 'webcodecs';
    this.info = opened.info;
    this.timestamps = opened.timestamps;
  }

  /** Opens a file; anything it cannot play is a MediaError naming the file and why. */
  static async open(
    file: Blob & { name: string },
    options: { decoder?: DecoderPreference } = {},
  ): Promise<VideoFile> {
    const decode = options.decoder !== 'element';
    let backend = options.decoder === 'page' ? pageBackend() : startWorker();
    let result;
    try {
      result = await backend.open(file, { decode });
    } catch (error) {
      if (backend.thread === 'page') throw error;
      // The worker could not run: demux and decode on the page instead.
      console.warn(`Triad: decoding on the page: ${String(error)}`);
      backend.close();
      backend = pageBackend();
      result = await backend.open(file, { decode });
    }
    if (!result.ok) {
      backend.close();
      throw new MediaError(file.name, result.reason);
    }
    if (result.canDecode) return new VideoFile(file, backend, result, null);
    // WebCodecs cannot: a <video> element may still play it (the browser's own pipeline).
    const element = await ElementDecoder.open(file);
    if (!element) {
      backend.close();
      throw new MediaError(
        file.name,
        `its video codec (${result.info.codec}) cannot be decoded by this browser.`,
      );
    }
    return new VideoFile(file, backend, result, element);
  }

  /** Where demuxing (and WebCodecs decoding) runs. */
  get thread(): 'worker' | 'page' {
    return this.#backend.thread;
  }

  /** The frame shown at `time` (seconds): the last one starting at or before it. */
  async frameAt(time: number): Promise<OwnedFrame | null> {
    this.#check();
    const index = this.indexAt(time);
    if (this.#element) return this.#elementFrame(index);
    // The frame's own timestamp: a time read back from a frame (whole microseconds) can be a
    // hair before the container's, and would land on the frame before.
    const frame = await (await this.#live()).frameAt(this.timestamps[index] ?? time);
    return frame ? this.#own(frame) : null;
  }

  /** Every frame from `start` (seconds) on, in presentation order. */
  async *frames(start = 0): AsyncGenerator<OwnedFrame> {
    this.#check();
    if (this.#element) {
      for (let i = this.indexAt(start); i < this.timestamps.length; i++) {
        this.#check();
        yield await this.#elementFrame(i);
      }
      return;
    }
    const backend = await this.#live();
    const id = await backend.startFrames(start);
    let ended = false;
    try {
      for (;;) {
        const frame = await backend.next(id);
        if (!frame) {
          ended = true;
          return;
        }
        yield this.#own(frame);
      }
    } finally {
      if (!ended && !this.#closed) await backend.stopFrames(id).catch(() => {});
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

  #elementFrame(i: number): Promise<OwnedFrame> {
    const t = this.timestamps[i];
    const end = this.timestamps[i + 1] ?? t + 1 / Math.max(this.info.frameRate, 1);
    return this.#element!.frame(t, end);
  }

  /** A frame that arrives after close (a call in flight) is closed at once. */
  #own(frame: VideoFrame): OwnedFrame {
    if (this.#closed) {
      frame.close();
      throw new Error('the video was closed');
    }
    return own(frame);
  }

  /**
   * The backend to ask: after its worker died, a new worker opens the file again (the player asks
   * again from the frame on screen; calls in flight failed with the old one).
   */
  #live(): Promise<DemuxBackend> {
    if (!this.#backend.failed) return Promise.resolve(this.#backend);
    this.#reviving ??= (async () => {
      this.#backend.close();
      const backend = startWorker();
      try {
        // As first opened: with the element decoder the worker only demuxes.
        const opened = await backend.open(this.source, { decode: this.decoder === 'webcodecs' });
        if (!opened.ok) throw new MediaError(this.name, opened.reason);
      } catch (error) {
        backend.close();
        throw error;
      }
      if (this.#closed) {
        backend.close();
        throw new Error('the video was closed');
      }
      this.#backend = backend;
      this.workerRestarts++;
      return backend;
    })().finally(() => (this.#reviving = null));
    return this.#reviving;
  }

  /** Fault injection (tests): the video worker dies, as one that throws outside a call does. */
  crashWorker(): void {
    this.#backend.crash();
  }

  #check(): void {
    if (this.#closed) throw new Error('the video was closed');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#backend.close();
    this.#element?.close();
  }
}

function startWorker(): DemuxBackend {
  try {
    return workerBackend();
  } catch (error) {
    console.warn(`Triad: no video worker: ${String(error)}`);
    return pageBackend();
  }
}
