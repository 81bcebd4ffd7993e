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
}

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
 * Re-encodes a video with every frame taken through `processFrame` (the effect chain): each
 * source frame exactly once, in order; audio passed through (re-encoded only when the container
 * needs another codec). Cancelling through `signal` rejects with an AbortError and nothing is
 * returned; so does any failure — a partial file is never handed out.
 */
export async function exportVideo(
  source: Blob,
  options: ExportOptions,
  processFrame: (frame: VideoFrame, index: number) => Promise<RgbaImage>,
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
          const frame = sample.toVideoFrame();
          try {
            const image = await processFrame(frame, frames++);
            return new VideoSample(image.data, {
              format: 'RGBA',
              codedWidth: image.width,
              codedHeight: image.height,
              timestamp: sample.timestamp,
              duration: sample.duration,
            });
          } finally {
            frame.close();
          }
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
      await conversion.execute();
    } finally {
      signal.removeEventListener('abort', cancel);
    }
    signal.throwIfAborted();
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
