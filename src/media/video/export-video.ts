import {
  ALL_FORMATS,
  BlobSource,
  BufferTarget,
  Conversion,
  Input,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  QUALITY_LOW,
  QUALITY_MEDIUM,
  VideoSample,
  WebMOutputFormat,
  type VideoCodec,
} from 'mediabunny';
import type { RgbaImage } from '../../effects/image';

export type ExportFormat = 'mp4-avc' | 'webm-vp9' | 'mp4-av1';

export const EXPORT_FORMATS: Record<
  ExportFormat,
  { label: string; codec: VideoCodec; container: 'mp4' | 'webm'; mime: string }
> = {
  'mp4-avc': { label: 'MP4 · H.264', codec: 'avc', container: 'mp4', mime: 'video/mp4' },
  'webm-vp9': { label: 'WebM · VP9', codec: 'vp9', container: 'webm', mime: 'video/webm' },
  'mp4-av1': { label: 'MP4 · AV1', codec: 'av1', container: 'mp4', mime: 'video/mp4' },
};

export interface ExportOptions {
  format: ExportFormat;
  /** Output height before the chain (width follows the aspect ratio); null keeps the source's. */
  height: number | null;
  quality: 'low' | 'medium' | 'high';
  /** How many times larger the chain makes a frame (super-resolution), 1 otherwise. */
  chainScale: number;
  /**
   * Frames rendered at once (default 1): while one frame is in its CPU or AI stages the next
   * is decoded and started. Frames are still encoded in order, each once.
   */
  inFlight?: number;
  /**
   * How long the export may go without a frame finishing before it stops with an error (default
   * STALL_SECONDS): a decoder or device that stops answering must not hold the export forever.
   */
  stallSeconds?: number;
}

/** See `ExportOptions.stallSeconds`: longer than the slowest frame seen on a software GPU. */
export const STALL_SECONDS = 60;

/**
 * Starts one frame through the chain; resolves once the frame has taken its source (the next
 * may then be started), with its result to come.
 */
export type StartFrame = (
  frame: VideoFrame,
  index: number,
) => Promise<{ done: Promise<RgbaImage> }>;

export interface ExportProgress {
  fraction: number;
  frames: number;
  /** Seconds left at the pace so far (null until it can tell). */
  etaSeconds: number | null;
}

export interface ExportResult {
  blob: Blob;
  frames: number;
  /** What happened to the audio track: copied, re-encoded, dropped (with why), or none. */
  audio: string;
}

const QUALITY = { low: QUALITY_LOW, medium: QUALITY_MEDIUM, high: QUALITY_HIGH };

/**
 * Re-encodes a video with every frame taken through `startFrame` (the effect chain): each
 * source frame exactly once, in order; audio passed through (re-encoded only when the container
 * needs another codec). With `inFlight` > 1, a frame's result is handed to the encoder when the
 * frames after it have started (the last ones at the last frame). Cancelling through `signal`
 * rejects with an AbortError and nothing is returned; so does any failure — a partial file is
 * never handed out.
 */
export async function exportVideo(
  source: Blob,
  options: ExportOptions,
  startFrame: StartFrame,
  onProgress: (progress: ExportProgress) => void,
  signal: AbortSignal,
): Promise<ExportResult> {
  const spec = EXPORT_FORMATS[options.format];
  const input = new Input({ source: new BlobSource(source), formats: ALL_FORMATS });
  const output = new Output({
    format: spec.container === 'mp4' ? new Mp4OutputFormat() : new WebMOutputFormat(),
    target: new BufferTarget(),
  });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (!track) throw new Error('the source has no video track');
    const scale = options.height ? options.height / track.displayHeight : 1;
    // Encoders want even sizes.
    const even = (v: number) => Math.max(2, Math.round(v / 2) * 2);
    const width = even(track.displayWidth * scale);
    const height = even(track.displayHeight * scale);
    let frames = 0;
    /** Something moved: a frame arrived or finished (see `stallWatch`). */
    let beat = () => {};
    const inFlight = Math.max(1, Math.round(options.inFlight ?? 1));
    // The last frame flushes the frames still rendering, so the count must be known up front.
    const total = inFlight > 1 ? (await track.computePacketStats()).packetCount : Infinity;
    /** Frames started and not yet handed to the encoder, oldest first. */
    /**
     * The first frame that failed: the conversion does not always reject with it (it has ended
     * with the frames after it missing), so it is thrown below.
     */
    let failure: unknown = null;
    const rendering: { done: Promise<RgbaImage>; timestamp: number; duration: number }[] = [];
    const toSample = async (r: (typeof rendering)[number]) => {
      const image = await r.done;
      return new VideoSample(image.data, {
        format: 'RGBA',
        codedWidth: image.width,
        codedHeight: image.height,
        timestamp: r.timestamp,
        duration: r.duration,
      });
    };
    const conversion = await Conversion.init({
      input,
      output,
      video: {
        codec: spec.codec,
        bitrate: QUALITY[options.quality],
        forceTranscode: true,
        ...(options.height ? { width, height, fit: 'fill' as const } : {}),
        processedWidth: width * options.chainScale,
        processedHeight: height * options.chainScale,
        process: async (sample) => {
          beat();
          const frame = sample.toVideoFrame(); // its own reference: outlives the sample
          let started;
          try {
            started = await startFrame(frame, frames++);
          } catch (error) {
            frame.close();
            throw (failure ??= error);
          }
          const done = started.done.finally(() => {
            frame.close();
            beat();
          });
          done.catch(() => {}); // awaited in turn below
          rendering.push({ done, timestamp: sample.timestamp, duration: sample.duration });
          // Hand over the oldest once `inFlight` frames are rendering, and all at the last.
          const out: VideoSample[] = [];
          try {
            while (rendering.length >= inFlight || (frames >= total && rendering.length > 0))
              out.push(await toSample(rendering.shift()!));
          } catch (error) {
            for (const s of out) s.close();
            throw (failure ??= error);
          }
          return out.length > 0 ? out : null;
        },
      },
    });
    const videoDiscarded = conversion.discardedTracks.find((d) => d.track.type === 'video');
    if (!conversion.isValid || videoDiscarded) {
      throw new Error(
        `${spec.label} cannot be written here (${videoDiscarded?.reason ?? 'no usable track'})`,
      );
    }
    const audioTrack = await input.getPrimaryAudioTrack();
    const audioDiscarded = conversion.discardedTracks.find((d) => d.track.type === 'audio');
    const audio = !audioTrack
      ? 'none'
      : audioDiscarded
        ? `dropped (${audioDiscarded.reason.replaceAll('_', ' ')})`
        : 'kept';
    const started = performance.now();
    const watchdog = stallWatch((options.stallSeconds ?? STALL_SECONDS) * 1000, () => frames);
    beat = watchdog.beat;
    conversion.onProgress = (fraction) => {
      const elapsed = (performance.now() - started) / 1000;
      onProgress({
        fraction,
        frames,
        etaSeconds: fraction > 0.02 ? (elapsed / fraction) * (1 - fraction) : null,
      });
    };
    const cancel = () => void conversion.cancel();
    signal.addEventListener('abort', cancel);
    try {
      const executing = conversion.execute();
      executing.catch(() => {}); // cancelled below when the watchdog stops the export first
      await Promise.race([
        executing,
        watchdog.stalled.catch((error: unknown) => {
          void conversion.cancel();
          throw error;
        }),
      ]);
    } finally {
      signal.removeEventListener('abort', cancel);
      watchdog.stop();
    }
    signal.throwIfAborted();
    if (failure) throw failure;
    if (rendering.length > 0)
      throw new Error(
        `${rendering.length} frames were not written (the source has more frames than it said)`,
      );
    const buffer = (output.target as BufferTarget).buffer;
    if (!buffer) throw new Error('the encoder produced no file');
    return { blob: new Blob([buffer], { type: spec.mime }), frames, audio };
  } catch (error) {
    if (signal.aborted) throw new DOMException('the export was cancelled', 'AbortError');
    throw error;
  } finally {
    input.dispose();
  }
}

/**
 * Rejects `stalled` once `limitMs` pass without a `beat()`, saying at which frame: the export
 * then stops instead of waiting on a decoder or a device that will not answer.
 */
function stallWatch(
  limitMs: number,
  frame: () => number,
): { beat(): void; stalled: Promise<never>; stop(): void } {
  let last = performance.now();
  let fail: (error: Error) => void = () => {};
  const stalled = new Promise<never>((_, reject) => (fail = reject));
  stalled.catch(() => {}); // raced by the caller; unobserved once the export is done
  const timer = setInterval(
    () => {
      if (performance.now() - last < limitMs) return;
      clearInterval(timer);
      fail(
        new Error(
          `no frame finished for ${Math.round(limitMs / 1000)} s, so the export stopped at frame ${frame()}`,
        ),
      );
    },
    Math.min(1000, limitMs / 4),
  );
  return { beat: () => (last = performance.now()), stalled, stop: () => clearInterval(timer) };
}
