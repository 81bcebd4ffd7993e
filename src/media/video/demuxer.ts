import {
  ALL_FORMATS,
  BlobSource,
  EncodedPacketSink,
  Input,
  VideoSampleSink,
  type VideoSample,
} from 'mediabunny';

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

/** What opening a file found: its track and frames, or why it cannot be read (for the user). */
export type DemuxResult =
  | {
      ok: true;
      info: VideoInfo;
      /** Packet timestamps in presentation order (seconds): the frames the file holds. */
      timestamps: number[];
      /** WebCodecs, here, can decode the track. */
      canDecode: boolean;
    }
  | { ok: false; reason: string };

/**
 * One video file demuxed by mediabunny and decoded by WebCodecs. Runs wherever WebCodecs does: in
 * the video worker (workers/video.worker.ts), or on the page when no worker can start. Frames are
 * plain VideoFrames the caller owns; frame streams are numbered so a worker can serve several.
 */
export class Demuxer {
  #input: Input | null = null;
  #sink: VideoSampleSink | null = null;
  #first = 0;
  readonly #streams = new Map<number, AsyncGenerator<VideoSample>>();
  #nextStream = 1;

  async open(file: Blob, options: { decode: boolean }): Promise<DemuxResult> {
    if (file.size === 0) return { ok: false, reason: 'the file is empty (0 bytes).' };
    const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
    try {
      const result = await this.#read(input, options.decode);
      if (result.ok) {
        this.#input = input;
        this.#first = result.timestamps[0];
      } else input.dispose();
      return result;
    } catch (error) {
      input.dispose();
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, reason: `the file is damaged or truncated (${reason}).` };
    }
  }

  async #read(input: Input, decode: boolean): Promise<DemuxResult> {
    const format = await input.getFormat().catch(() => null);
    if (!format)
      return { ok: false, reason: 'not a video container this app reads (MP4, MOV, WebM, MKV).' };
    const track = await input.getPrimaryVideoTrack();
    if (!track) {
      // No tracks at all: the index (an MP4's moov, say) is missing — cut off or damaged.
      const tracks = await input.getTracks().catch(() => []);
      return {
        ok: false,
        reason:
          tracks.length === 0
            ? 'the file is damaged or truncated (no tracks could be read).'
            : 'the file has no video track.',
      };
    }
    const canDecode =
      decode && typeof VideoDecoder !== 'undefined' && !!track.codec && (await track.canDecode());
    const timestamps: number[] = [];
    for await (const packet of new EncodedPacketSink(track).packets())
      timestamps.push(packet.timestamp);
    if (timestamps.length === 0) return { ok: false, reason: 'the video track has no frames.' };
    timestamps.sort((a, b) => a - b);
    const duration = await input.computeDuration();
    const audio = await input.getPrimaryAudioTrack();
    this.#sink = canDecode ? new VideoSampleSink(track) : null;
    return {
      ok: true,
      canDecode,
      timestamps,
      info: {
        container: format.name,
        codec: track.codec ?? 'unknown',
        width: track.displayWidth,
        height: track.displayHeight,
        duration,
        frameCount: timestamps.length,
        frameRate: timestamps.length / Math.max(duration, 1e-6),
        audio: audio?.codec ?? null,
      },
    };
  }

  /** The frame shown at `time` (seconds): the last one starting at or before it. */
  async frameAt(time: number): Promise<VideoFrame | null> {
    const sample = await this.#decoder().getSample(Math.max(time, this.#first));
    return sample ? toFrame(sample) : null;
  }

  /** Starts a stream of every frame from `start` (seconds) on; returns its id for `next`. */
  startFrames(start: number): number {
    const id = this.#nextStream++;
    this.#streams.set(id, this.#decoder().samples(start));
    return id;
  }

  /** The stream's next frame in presentation order, or null at its end (the stream is then gone). */
  async next(id: number): Promise<VideoFrame | null> {
    const stream = this.#streams.get(id);
    if (!stream) throw new Error('the frame stream was stopped');
    const { value, done } = await stream.next();
    if (done) {
      this.#streams.delete(id);
      return null;
    }
    return toFrame(value);
  }

  /** Ends a stream early (frames decoded ahead are closed by mediabunny). */
  async stopFrames(id: number): Promise<void> {
    const stream = this.#streams.get(id);
    this.#streams.delete(id);
    await stream?.return(undefined);
  }

  close(): void {
    for (const stream of this.#streams.values()) void stream.return(undefined);
    this.#streams.clear();
    this.#input?.dispose();
    this.#input = null;
    this.#sink = null;
  }

  #decoder(): VideoSampleSink {
    if (!this.#sink) throw new Error(this.#input ? 'WebCodecs cannot decode this track' : 'closed');
    return this.#sink;
  }
}

function toFrame(sample: VideoSample): VideoFrame {
  try {
    return sample.toVideoFrame();
  } finally {
    sample.close();
  }
}
