import { FrameOnScreen } from '../../session/frame-on-screen';
import type { FrameSourceHost } from '../../session/frame-source-host';
import { MediaError } from '../../media/load-image';
import type { OwnedFrame } from '../../media/video/frames';
import { VideoFile, type DecoderPreference, type VideoInfo } from '../../media/video/open-video';
import { AudioTrackPlayer } from '../../media/video/audio';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Plays a video through the engine: frames are decoded in order and shown at their own
 * timestamps (late ones are dropped and counted), or every frame as fast as the chain allows
 * ("process every frame"). Holds exactly one decoded frame, the one on screen (so a lost GPU
 * device can be given it again); every other frame is closed as soon as it is uploaded or dropped.
 */
export class VideoState {
  file = $state.raw<VideoFile | null>(null);
  info = $state.raw<VideoInfo | null>(null);
  playing = $state(false);
  loop = $state(true);
  everyFrame = $state(false);
  /** Presentation time of the frame on screen (seconds). */
  time = $state(0);
  /** Frames shown and dropped since the video was opened. */
  shown = $state(0);
  dropped = $state(0);
  /**
   * 'auto' decodes in a worker; 'page' on the page; 'element' with a <video> element even where
   * WebCodecs could (debug: ?decoder=).
   */
  decoderPreference: DecoderPreference = 'auto';
  /** Videos opened so far (tests wait on it). */
  opened = $state(0);
  readonly #host: FrameSourceHost;
  /** The one decoded frame kept: the one on screen. */
  readonly #onScreen = new FrameOnScreen();
  /** Bumped to stop a playback loop (pause, seek, remove). */
  #generation = 0;
  #running: Promise<void> = Promise.resolve();
  #ops: Promise<void> = Promise.resolve();
  /** The last frame started (seeks and steps wait for it: they show one frame, done). */
  #rendering: Promise<unknown> = Promise.resolve();
  #audio: AudioTrackPlayer | null = null;
  #seekTicket = 0;

  constructor(host: FrameSourceHost) {
    this.#host = host;
  }

  get duration(): number {
    return this.info?.duration ?? 0;
  }

  /** The index of the frame on screen among the file's frames. */
  get frameIndex(): number {
    return this.file?.indexAt(this.time) ?? 0;
  }

  /** Opens a video and shows its first frame; on failure nothing changes. */
  async open(file: File): Promise<void> {
    const video = await VideoFile.open(file, { decoder: this.decoderPreference });
    const first = await video.frameAt(video.timestamps[0]).catch((error: unknown) => {
      video.close();
      throw new MediaError(file.name, `its first frame could not be decoded (${String(error)}).`);
    });
    if (!first) {
      video.close();
      throw new MediaError(file.name, 'its first frame could not be decoded.');
    }
    await this.remove();
    this.shown = 0;
    this.dropped = 0;
    this.#host.showSource({ name: file.name, width: video.info.width, height: video.info.height });
    await this.#showNow(first);
    this.#audio = await AudioTrackPlayer.open(video.source).catch(() => null);
    // Published once its first frame is up.
    this.file = video;
    this.info = video.info;
    this.opened++;
  }

  /**
   * Uploads a frame as the source, closes the previous one and starts rendering it: the next
   * frame may be decoded and uploaded while this one's CPU and AI stages run (as many frames
   * overlap as the app allows; the session's frame loop also keeps the GPU's queue short).
   */
  async #show(frame: OwnedFrame): Promise<void> {
    const engine = this.#host.engine;
    await this.#host.frameSlot();
    try {
      if (engine) await engine.setSourceFrame(frame.frame);
    } catch (error) {
      frame.close();
      throw error;
    }
    this.#onScreen.hold(frame);
    this.time = frame.timestamp;
    this.shown++;
    this.#host.setFrameIndex(this.frameIndex);
    this.#rendering = (await this.#host.startFrame()).done.catch(() => {});
  }

  /** Shows a frame and waits until it is rendered (open, seek, step). */
  async #showNow(frame: OwnedFrame): Promise<void> {
    await this.#show(frame);
    await this.#rendering;
  }

  /** Gives a new engine (after a device loss) the frame on screen. */
  async restore(): Promise<void> {
    await this.#onScreen.restore(this.#host.engine);
  }

  play(): void {
    if (!this.file || this.playing) return;
    this.playing = true;
    const generation = ++this.#generation;
    this.#running = this.#run(generation).catch((error: unknown) => {
      if (generation !== this.#generation) return;
      this.playing = false;
      this.#host.onError(error instanceof Error ? error.message : String(error));
    });
  }

  async pause(): Promise<void> {
    this.#generation++;
    this.playing = false;
    this.#audio?.stop();
    await this.#running;
    await this.#rendering; // paused: the frame on screen is done
  }

  /** The sound: its codec, whether it is playing and the media time heard (tests read it). */
  get audio(): { codec: string; heard: number | null; scheduled: number } | null {
    const a = this.#audio;
    return a ? { codec: a.codec, heard: a.now(), scheduled: a.scheduled } : null;
  }

  toggle(): void {
    if (this.playing) void this.pause();
    else this.play();
  }

  async #run(generation: number): Promise<void> {
    const file = this.file!;
    // From the end, play starts over.
    let start = this.time >= file.timestamps[file.timestamps.length - 1] - 1e-6 ? 0 : this.time;
    for (;;) {
      // The clock: the sound being heard when there is sound (the picture follows it), else the
      // wall clock. "Every frame" runs unpaced and silent.
      const audio = !this.everyFrame && (await this.#audio?.play(start)) ? this.#audio : null;
      const wallStart = performance.now();
      const clock = () => audio?.now() ?? start + (performance.now() - wallStart) / 1000;
      // Resuming mid-video: the frame on screen (at `start`) was shown already.
      const after = start > 0 ? start + 1e-6 : -Infinity;
      for await (const frame of file.frames(start)) {
        if (generation !== this.#generation) {
          frame.close();
          return;
        }
        if (frame.timestamp <= after) {
          frame.close();
          continue;
        }
        if (!this.everyFrame) {
          const late = (clock() - frame.timestamp) * 1000;
          if (late > Math.max(frame.duration * 1000, 1)) {
            frame.close(); // too late to show: keep to the clock
            this.dropped++;
            continue;
          }
          if (late < 0) await sleep(-late);
          if (generation !== this.#generation) {
            frame.close();
            return;
          }
        }
        await this.#show(frame);
      }
      if (!this.loop || generation !== this.#generation) break;
      start = 0;
    }
    if (generation === this.#generation) this.playing = false;
  }

  /**
   * Shows the frame at `time` (seconds); playback, if on, goes on from there. Seeks and steps run
   * one at a time, in order (a step counts from where the one before it landed).
   */
  seek(time: number): Promise<void> {
    // While scrubbing, only the latest position waiting in line is worth decoding.
    const ticket = ++this.#seekTicket;
    return this.#enqueue(() =>
      ticket === this.#seekTicket ? this.#seek(time) : Promise.resolve(),
    );
  }

  /** One frame forward (+1) or back (−1). */
  step(delta: number): Promise<void> {
    return this.#enqueue(() => {
      const ts = this.file?.timestamps ?? [];
      if (ts.length === 0) return Promise.resolve();
      return this.#seek(ts[Math.min(ts.length - 1, Math.max(0, this.frameIndex + delta))]);
    });
  }

  #enqueue(op: () => Promise<void>): Promise<void> {
    const result = this.#ops.then(op);
    this.#ops = result.catch(() => {});
    return result;
  }

  async #seek(time: number): Promise<void> {
    if (!this.file) return;
    const wasPlaying = this.playing;
    await this.pause();
    const frame = await this.file.frameAt(Math.min(Math.max(0, time), this.duration));
    if (frame) await this.#showNow(frame);
    if (wasPlaying) this.play();
  }

  /** Closes the video and every frame it holds. */
  async remove(): Promise<void> {
    await this.pause();
    await this.#ops; // a seek in progress finishes before its frame is closed
    this.#onScreen.release();
    this.#audio?.close();
    this.#audio = null;
    this.file?.close();
    this.file = null;
    this.info = null;
    this.time = 0;
  }
}
