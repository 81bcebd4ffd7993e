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
  readonly #sink: VideoSampleSink;
  #closed = false;

  private constructor(
    source: Blob & { name: string },
    input: Input,
    track: InputVideoTrack,
    info: VideoInfo,
    timestamps: number[],
  ) {
    this.name = source.name;
    this.source = source;
    this.#input = input;
    this.#sink = new VideoSampleSink(track);
    this.info = info;
    this.timestamps = timestamps;
  }

  /** Opens a file; anything it cannot play is a MediaError naming the file and why. */
  static async open(file: Blob & { name: string }): Promise<VideoFile> {
    if (file.size === 0) throw new MediaError(file.name, 'the file is empty (0 bytes).');
    if (typeof VideoDecoder === 'undefined')
      throw new MediaError(file.name, 'this browser has no WebCodecs video decoder.');
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
      if (!track.codec || !(await track.canDecode())) {
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
        codec: track.codec,
        width: track.displayWidth,
        height: track.displayHeight,
        duration,
        frameCount: timestamps.length,
        frameRate: timestamps.length / Math.max(duration, 1e-6),
        audio: audio?.codec ?? null,
      };
      return new VideoFile(file, input, track, info, timestamps);
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
    const sample = await this.#sink.getSample(Math.max(time, this.timestamps[0]));
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
    for await (const sample of this.#sink.samples(start)) {
      let owned: OwnedFrame;
      try {
        owned = own(sample.toVideoFrame());
      } finally {
        sample.close();
      }
      yield owned;
    }
  }

  #check(): void {
    if (this.#closed) throw new Error('the video was closed');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#input.dispose();
  }
}
