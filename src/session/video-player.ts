import type { OwnedFrame } from '../media/video/frames';
import { FrameOnScreen } from './frame-on-screen';
import type { FrameSourceHost } from './frame-source-host';
import type { Timers } from './timers';

/** A video the player can play (`VideoFile` in the browser: WebCodecs or a <video> element). */
export interface PlayableVideo {
  readonly name: string;
  readonly info: { width: number; height: number; duration: number };
  /** Frame timestamps in presentation order (seconds). */
  readonly timestamps: readonly number[];
  /** Decoded frames in presentation order from `start` (seconds); the caller closes each. */
  frames(start?: number): AsyncGenerator<OwnedFrame>;
  frameAt(time: number): Promise<OwnedFrame | null>;
  indexAt(time: number): number;
  close(): void;
}

/** The video's sound (`AudioTrackPlayer` in the browser): when it plays, it is the clock. */
export interface PlayableAudio {
  readonly codec: string;
  readonly scheduled: number;
  /** Starts the sound at `mediaTime`; false when it cannot (the wall clock paces the frames). */
  play(mediaTime: number): Promise<boolean>;
  /** The media time being heard (null: not playing). */
  now(): number | null;
  stop(): void;
  close(): void;
}

/** What the player shows and is told (the UI's reactive state, or a plain object in Node). */
export interface PlayerState<V extends PlayableVideo> {
  file: V | null;
  info: V['info'] | null;
  playing: boolean;
  loop: boolean;
  everyFrame: boolean;
  /** Presentation time of the frame on screen (seconds). */
  time: number;
  /**
   * Since the video was opened: frames taken from the decoder to show (`decoded`), those shown,
   * and those dropped, with the count for each reason; decoded = shown + dropped once no frame
   * is in flight.
   */
  decoded: number;
  shown: number;
  dropped: number;
  dropReasons: Record<string, number>;
  /** Videos opened so far. */
  opened: number;
  /**
   * A video is being opened: playback does not start meanwhile (a Play pressed now would play
   * the clip about to be replaced, then stop).
   */
  opening: boolean;
}

/** Why frames were dropped (the panel and the tests read `dropReasons`). */
export const DROP_LATE = 'late for its time';
export const DROP_LOST = 'GPU device lost';
export const DROP_NOT_RENDERED = 'not rendered (no GPU device ready)';
export const DROP_FAILED = 'could not be shown';
/** Decoders made again in a row at one place before playback gives up. */
const DECODE_RETRIES = 2;

/**
 * Plays a video through the session: frames are decoded in order and shown at their own
 * timestamps on the media clock — the sound being heard when there is sound, else the wall
 * clock (late frames are dropped and counted) — or every frame as fast as the chain allows
 * ("process every frame"). Holds exactly one decoded frame, the one on screen (a new GPU device
 * is given it again); every other frame is closed as soon as it is uploaded or dropped. Seeks
 * and steps run one at a time, in order. No DOM: the clock is injected, the video and its sound
 * are handed in.
 */
export class VideoPlayer<V extends PlayableVideo> {
  readonly state: PlayerState<V>;
  readonly #host: FrameSourceHost;
  readonly #timers: Timers;
  readonly #onScreen = new FrameOnScreen();
  /** Bumped to stop a playback loop (pause, seek, remove). */
  #generation = 0;
  #running: Promise<void> = Promise.resolve();
  #ops: Promise<void> = Promise.resolve();
  /** The last frame started (seeks and steps wait for it: they show one frame, done). */
  #rendering: Promise<unknown> = Promise.resolve();
  #audio: PlayableAudio | null = null;
  #seekTicket = 0;

  constructor(host: FrameSourceHost, state: PlayerState<V>, timers: Timers) {
    this.#host = host;
    this.state = state;
    this.#timers = timers;
  }

  get duration(): number {
    return this.state.info?.duration ?? 0;
  }

  /** The index of the frame on screen among the file's frames. */
  get frameIndex(): number {
    return this.state.file?.indexAt(this.state.time) ?? 0;
  }

  /** How frames reach the GPU on the current engine (the path in use, failures, timings). */
  get uploader() {
    return this.#host.engine?.frameUploader ?? null;
  }

  get audio(): PlayableAudio | null {
    return this.#audio;
  }

  /**
   * Opens a video: `open` makes it and decodes its first frame (the one before plays on
   * meanwhile, but no playback starts), then it is loaded. On failure nothing changes.
   */
  async open(
    open: () => Promise<{ video: V; first: OwnedFrame }>,
    audio: (video: V) => Promise<PlayableAudio | null>,
  ): Promise<void> {
    this.state.opening = true;
    try {
      const { video, first } = await open();
      await this.load(video, first, () => audio(video));
    } finally {
      this.state.opening = false;
    }
  }

  /**
   * Makes `video` the one playing, in place of any before it, and shows `first` (its first
   * frame, decoded already); `audio` opens its sound meanwhile (null: silent).
   */
  async load(
    video: V,
    first: OwnedFrame,
    audio: () => Promise<PlayableAudio | null>,
  ): Promise<void> {
    await this.remove();
    const state = this.state;
    state.decoded = 0;
    state.shown = 0;
    state.dropped = 0;
    state.dropReasons = {};
    this.#host.showSource({ name: video.name, width: video.info.width, height: video.info.height });
    await this.#showNow(first);
    this.#audio = await audio().catch(() => null);
    // Published once its first frame is up.
    state.file = video;
    state.info = video.info;
    state.opened++;
  }

  /**
   * Uploads a frame as the source, closes the previous one and starts rendering it: the next
   * frame may be decoded and uploaded while this one's CPU and AI stages run (as many frames
   * overlap as the session allows; its frame loop also keeps the GPU's queue short). `live`: a
   * frame of playback, a stream's even if paused before it starts; absent (open, seek, step), the
   * app's state says (a seek while playing is part of the stream).
   */
  async #show(frame: OwnedFrame, live?: true): Promise<void> {
    this.state.decoded++;
    await this.#host.frameSlot();
    const engine = this.#host.engine;
    try {
      if (engine) await engine.setSourceFrame(frame.frame);
    } catch (error) {
      frame.close();
      // The device went away under the upload: this frame is dropped, playback goes on (the
      // next frame goes to the new device).
      if (engine && (await engine.gpu.lostUnder())) return this.#drop(DROP_LOST);
      this.#drop(DROP_FAILED);
      throw error;
    }
    this.#onScreen.hold(frame);
    this.state.time = frame.timestamp;
    this.#host.setFrameIndex(this.frameIndex);
    const { done } = await this.#host.startFrame({ live });
    // Counted once rendered: a frame the session could not render (its device lost, and the
    // new one not ready in time) is a drop, not a frame shown.
    this.#rendering = done.then(
      (stats) => (stats === null ? this.#drop(DROP_NOT_RENDERED) : void this.state.shown++),
      () => this.#drop(DROP_FAILED),
    );
  }

  #drop(reason: string): void {
    this.state.dropped++;
    this.state.dropReasons = {
      ...this.state.dropReasons,
      [reason]: (this.state.dropReasons[reason] ?? 0) + 1,
    };
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
    if (!this.state.file || this.state.playing || this.state.opening) return;
    this.state.playing = true;
    const generation = ++this.#generation;
    this.#running = this.#run(generation).catch((error: unknown) => {
      if (generation !== this.#generation) return;
      this.state.playing = false;
      this.#host.onError(error instanceof Error ? error.message : String(error));
    });
  }

  async pause(): Promise<void> {
    this.#generation++;
    this.state.playing = false;
    this.#audio?.stop();
    await this.#running;
    await this.#rendering; // paused: the frame on screen is done
  }

  async #run(generation: number): Promise<void> {
    const state = this.state;
    const file = state.file!;
    const { now, sleep } = this.#timers;
    // From the end, play starts over.
    let start = state.time >= file.timestamps[file.timestamps.length - 1] - 1e-6 ? 0 : state.time;
    let failures = 0;
    for (;;) {
      // The clock: the sound being heard when there is sound (the picture follows it), else the
      // wall clock. "Every frame" runs unpaced and silent.
      const audio = !state.everyFrame && (await this.#audio?.play(start)) ? this.#audio : null;
      const wallStart = now();
      const clock = () => audio?.now() ?? start + (now() - wallStart) / 1000;
      // Resuming mid-video: the frame on screen (at `start`) was shown already.
      const after = start > 0 ? start + 1e-6 : -Infinity;
      try {
        for await (const frame of file.frames(start)) {
          if (generation !== this.#generation) {
            frame.close();
            return;
          }
          if (frame.timestamp <= after) {
            frame.close();
            continue;
          }
          if (!state.everyFrame) {
            const late = (clock() - frame.timestamp) * 1000;
            if (late > Math.max(frame.duration * 1000, 1)) {
              frame.close(); // too late to show: keep to the clock
              state.decoded++;
              this.#drop(DROP_LATE);
              continue;
            }
            if (late < 0) await sleep(-late);
            if (generation !== this.#generation) {
              frame.close();
              return;
            }
          }
          await this.#show(frame, true); // the stream's, even if paused before it starts
          failures = 0;
        }
      } catch (error) {
        // The decoder failed (a GPU process that went away takes hardware decoders with it): a
        // new one goes on from the frame on screen; only one failing again and again stops.
        if (generation !== this.#generation) return;
        audio?.stop();
        if (++failures > DECODE_RETRIES) throw error;
        start = state.time;
        continue;
      }
      if (!state.loop || generation !== this.#generation) break;
      start = 0;
    }
    if (generation === this.#generation) state.playing = false;
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
      const ts = this.state.file?.timestamps ?? [];
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
    const file = this.state.file;
    if (!file) return;
    const wasPlaying = this.state.playing;
    await this.pause();
    const frame = await file.frameAt(Math.min(Math.max(0, time), this.duration));
    if (frame) await this.#showNow(frame);
    if (!wasPlaying) return;
    // The pause, the keyframe decode and the still are no time of the plan's: a window across
    // them (under the second a gap must last to count as a pause) would time the seek.
    this.#host.interrupted();
    this.play();
  }

  /** Closes the video and every frame it holds. */
  async remove(): Promise<void> {
    await this.pause();
    await this.#ops; // a seek in progress finishes before its frame is closed
    this.#onScreen.release();
    this.#audio?.close();
    this.#audio = null;
    this.state.file?.close();
    this.state.file = null;
    this.state.info = null;
    this.state.time = 0;
  }
}
