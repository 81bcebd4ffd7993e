import { MediaError } from '../load-image';
import { own, type OwnedFrame } from './frames';

export interface CameraDevice {
  id: string;
  label: string;
}

/** The cameras the browser offers (labels appear once the user has allowed one). */
export async function listCameras(): Promise<CameraDevice[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((d) => d.kind === 'videoinput')
    .map((d, i) => ({ id: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

interface TrackProcessor {
  readable: ReadableStream<VideoFrame>;
}
type TrackProcessorConstructor = new (init: { track: MediaStreamTrack }) => TrackProcessor;

/**
 * A live camera (getUserMedia). Frames come out as `OwnedFrame`s from a
 * MediaStreamTrackProcessor where the browser has one, else from a <video> element drawn into
 * VideoFrames at each new camera frame. `stop()` ends the stream and the reads.
 */
export class Camera {
  readonly label: string;
  /** The device it reads (to open it again). */
  readonly deviceId: string;
  readonly width: number;
  readonly height: number;
  readonly #stream: MediaStream;
  readonly #reader: ReadableStreamDefaultReader<VideoFrame> | null;
  readonly #video: HTMLVideoElement | null;
  #stopped = false;

  private constructor(stream: MediaStream, video: HTMLVideoElement | null) {
    this.#stream = stream;
    const track = stream.getVideoTracks()[0];
    const settings = track.getSettings();
    this.label = track.label || 'camera';
    this.deviceId = settings.deviceId ?? '';
    this.width = settings.width ?? video?.videoWidth ?? 0;
    this.height = settings.height ?? video?.videoHeight ?? 0;
    const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorConstructor })
      .MediaStreamTrackProcessor;
    this.#reader = Processor ? new Processor({ track }).readable.getReader() : null;
    this.#video = this.#reader ? null : video;
  }

  static async open(deviceId?: string): Promise<Camera> {
    if (!navigator.mediaDevices?.getUserMedia)
      throw new MediaError('camera', 'this browser gives pages no camera access.');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: deviceId ? { deviceId: { exact: deviceId } } : true,
        audio: false,
      });
    } catch (error) {
      const name = error instanceof DOMException ? error.name : '';
      const reason =
        name === 'NotAllowedError'
          ? 'permission was refused; allow the camera for this site and try again.'
          : name === 'NotFoundError' || name === 'OverconstrainedError'
            ? 'that camera is not there any more.'
            : name === 'NotReadableError'
              ? 'the camera is in use by another program.'
              : `it could not be started (${error instanceof Error ? error.message : error}).`;
      throw new MediaError('camera', reason);
    }
    const hasProcessor = 'MediaStreamTrackProcessor' in globalThis;
    let video: HTMLVideoElement | null = null;
    if (!hasProcessor) {
      video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.srcObject = stream;
      await video.play();
    }
    return new Camera(stream, video);
  }

  /** The next camera frame (null once stopped). */
  async next(): Promise<OwnedFrame | null> {
    if (this.#stopped) return null;
    if (this.#reader) {
      const { value, done } = await this.#reader.read();
      if (done || !value) return null;
      if (this.#stopped) {
        value.close();
        return null;
      }
      return own(value);
    }
    const video = this.#video!;
    await new Promise<void>((resolve) => video.requestVideoFrameCallback(() => resolve()));
    if (this.#stopped) return null;
    return own(new VideoFrame(video, { timestamp: performance.now() * 1000 }));
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    void this.#reader?.cancel().catch(() => {});
    for (const track of this.#stream.getTracks()) track.stop();
    if (this.#video) this.#video.srcObject = null;
  }
}
