import type { FrameSourceHost } from '../../session/frame-source-host';
import { HOST_TIMERS } from '../../session/timers';
import { VideoPlayer, type PlayerState } from '../../session/video-player';
import { MediaError } from '../../media/load-image';
import { VideoFile, type DecoderPreference, type VideoInfo } from '../../media/video/open-video';
import { AudioTrackPlayer, prepareAudio } from '../../media/video/audio';

/**
 * The video source as the UI sees it: reactive state the session's `VideoPlayer` writes (the
 * playback itself: clock, dropping, every-frame mode, seeks), and opening a file in the browser
 * (WebCodecs or a <video> element, and its sound through Web Audio).
 */
export class VideoState implements PlayerState<VideoFile> {
  file = $state.raw<VideoFile | null>(null);
  info = $state.raw<VideoInfo | null>(null);
  playing = $state(false);
  loop = $state(true);
  everyFrame = $state(false);
  /** Presentation time of the frame on screen (seconds). */
  time = $state(0);
  /** Since the video was opened: frames decoded to show, shown, dropped (and why). */
  decoded = $state(0);
  shown = $state(0);
  dropped = $state(0);
  dropReasons = $state.raw<Record<string, number>>({});
  /** Videos opened so far (tests wait on it). */
  opened = $state(0);
  /** A video is being opened (the transport waits for it). */
  opening = $state(false);
  /**
   * 'auto' decodes in a worker; 'page' on the page; 'element' with a <video> element even where
   * WebCodecs could (debug: ?decoder=).
   */
  decoderPreference: DecoderPreference = 'auto';
  readonly #player: VideoPlayer<VideoFile>;

  constructor(host: FrameSourceHost) {
    this.#player = new VideoPlayer(host, this, HOST_TIMERS);
    // The page's audio starts ahead, while idle: opening the first clip with sound took 35–40 ms
    // of the page's thread for it (the first AudioContext a page makes).
    prepareAudio();
  }

  get duration(): number {
    return this.#player.duration;
  }

  /** The index of the frame on screen among the file's frames. */
  get frameIndex(): number {
    return this.#player.frameIndex;
  }

  /** The sound: its codec, whether it is playing and the media time heard (tests read it). */
  get audio(): { codec: string; heard: number | null; scheduled: number } | null {
    const a = this.#player.audio;
    return a ? { codec: a.codec, heard: a.now(), scheduled: a.scheduled } : null;
  }

  /**
   * How frames reach the GPU (the upload path in use; paths that failed and why, and each path's
   * time), for the controls' tooltip; null before the first frame. Read after each frame.
   */
  get upload(): { path: string; details: string } | null {
    void this.shown;
    const uploader = this.#player.uploader;
    if (!uploader?.path) return null;
    const failed = [...uploader.failures].map(([p, why]) => `${p} failed: ${why}`);
    const timed = Object.entries(uploader.timings).map(([p, ms]) => `${p}: ${ms.toFixed(1)} ms`);
    return { path: uploader.path, details: [...failed, ...timed].join('\n') };
  }

  /** Opens a video and shows its first frame; on failure nothing changes. */
  async open(file: File): Promise<void> {
    await this.#player.open(
      async () => {
        const video = await VideoFile.open(file, { decoder: this.decoderPreference });
        const first = await video.frameAt(video.timestamps[0]).catch((error: unknown) => {
          video.close();
          throw new MediaError(
            file.name,
            `its first frame could not be decoded (${String(error)}).`,
          );
        });
        if (!first) {
          video.close();
          throw new MediaError(file.name, 'its first frame could not be decoded.');
        }
        return { video, first };
      },
      (video) => AudioTrackPlayer.open(video.source),
    );
  }

  /** Gives a new engine (after a device loss) the frame on screen. */
  restore(): Promise<void> {
    return this.#player.restore();
  }

  play(): void {
    this.#player.play();
  }

  pause(): Promise<void> {
    return this.#player.pause();
  }

  toggle(): void {
    if (this.playing) void this.pause();
    else this.play();
  }

  /** Shows the frame at `time` (seconds); playback, if on, goes on from there. */
  seek(time: number): Promise<void> {
    return this.#player.seek(time);
  }

  /** One frame forward (+1) or back (−1). */
  step(delta: number): Promise<void> {
    return this.#player.step(delta);
  }

  /** Closes the video and every frame it holds. */
  remove(): Promise<void> {
    return this.#player.remove();
  }
}
