import { describe, expect, it } from 'vitest';
import type { Engine } from '../engine';
import type { OwnedFrame } from '../media/video/frames';
import type { FrameSourceHost } from './frame-source-host';
import type { Timers } from './timers';
import {
  DROP_LATE,
  DROP_LOST,
  VideoPlayer,
  type PlayableVideo,
  type PlayerState,
} from './video-player';

/** A clip of `count` frames at `fps`, decoded on demand; counts frames open now and closed twice. */
function clip(count: number, fps = 10) {
  const open = new Set<number>();
  let closedTwice = 0;
  const timestamps = Array.from({ length: count }, (_, i) => i / fps);
  const frame = (i: number): OwnedFrame => {
    open.add(i);
    let closed = false;
    return {
      frame: { index: i } as unknown as VideoFrame,
      timestamp: timestamps[i],
      duration: 1 / fps,
      close: () => {
        if (closed) closedTwice++;
        closed = true;
        open.delete(i);
      },
    };
  };
  const indexAt = (t: number) =>
    Math.max(
      0,
      timestamps.findLastIndex((ts) => ts <= t + 1e-9),
    );
  const video: PlayableVideo = {
    name: 'clip.mp4',
    info: { width: 64, height: 36, duration: count / fps },
    timestamps,
    async *frames(start = 0) {
      for (let i = indexAt(start); i < count; i++) yield frame(i);
    },
    frameAt: async (t) => frame(indexAt(t)),
    indexAt,
    close: () => {},
  };
  return { video, open, closedTwice: () => closedTwice, first: () => frame(0) };
}

/** A host whose engine records the frames it was given; frames render at once. */
function host() {
  const uploaded: number[] = [];
  const errors: string[] = [];
  const engine = {
    setSourceFrame: async (f: { index: number }) => void uploaded.push(f.index),
  } as unknown as Engine;
  const h: FrameSourceHost = {
    engine,
    renderNow: async () => null,
    frameSlot: async () => {},
    startFrame: async () => ({ done: Promise.resolve({}) }),
    showSource: () => {},
    setFrameIndex: () => {},
    onError: (reason) => errors.push(reason),
    interrupted: () => {},
  };
  return { h, uploaded, errors };
}

/** A clock the test moves: `sleep` advances it, `lag` jumps it ahead (a slow frame). */
function clock() {
  let now = 0;
  const timers: Timers = {
    now: () => now,
    sleep: async (ms) => void (now += ms),
  };
  return { timers, lag: (ms: number) => (now += ms) };
}

const state = (): PlayerState<PlayableVideo> => ({
  file: null,
  info: null,
  playing: false,
  loop: false,
  everyFrame: false,
  time: 0,
  decoded: 0,
  shown: 0,
  dropped: 0,
  dropReasons: {},
  opened: 0,
  opening: false,
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setTimeout(r, 0));
  expect(done()).toBe(true);
}

describe('VideoPlayer', () => {
  it('every frame: shows each frame once, in order, holding only the one on screen', async () => {
    const c = clip(12);
    const { h, uploaded } = host();
    const player = new VideoPlayer(h, { ...state(), everyFrame: true }, clock().timers);
    await player.load(c.video, c.first(), async () => null);
    expect(player.state.opened).toBe(1);
    player.play();
    await until(() => !player.state.playing);
    // The first frame on open, then from the start: playing from 0 shows frame 0 on the clock.
    expect(uploaded).toEqual([0, ...Array(12).keys()]);
    expect(player.state.shown).toBe(13);
    expect(player.state.dropped).toBe(0);
    expect([...c.open]).toEqual([11]); // the frame on screen, nothing else
    await player.remove();
    expect(c.open.size).toBe(0);
    expect(c.closedTwice()).toBe(0);
  });

  it('on the clock: a frame later than its duration is dropped and counted, the rest shown', async () => {
    const c = clip(10);
    const { h, uploaded } = host();
    const time = clock();
    let shownSoFar = 0;
    // The fourth frame shown takes 250 ms: the frames due next are late past their 100 ms.
    const slow: FrameSourceHost = {
      ...h,
      startFrame: async () => {
        if (++shownSoFar === 4) time.lag(250);
        return { done: Promise.resolve({}) };
      },
    };
    const player = new VideoPlayer(slow, state(), time.timers);
    await player.load(c.video, c.first(), async () => null);
    player.play();
    await until(() => !player.state.playing);
    expect(player.state.dropped).toBeGreaterThan(0);
    expect(player.state.shown + player.state.dropped).toBe(11); // frame 0 on open, then 10
    expect(player.state.decoded).toBe(11);
    expect(player.state.dropReasons).toEqual({ [DROP_LATE]: player.state.dropped });
    expect(uploaded).toEqual([...uploaded].sort((a, b) => a - b)); // never out of order
    expect(uploaded.at(-1)).toBe(9);
    await player.remove();
    expect(c.open.size).toBe(0);
  });

  it('a frame of playback is live even when the pause comes while it waits for its slot; open and seek leave it to the app', async () => {
    const c = clip(20);
    const { h } = host();
    const started: { live: boolean | undefined }[] = [];
    let slot: (() => void) | null = null;
    let held = false;
    const paused: FrameSourceHost = {
      ...h,
      // The fourth frame of playback waits for room, and the video is paused meanwhile.
      frameSlot: () =>
        held || started.length < 4
          ? Promise.resolve()
          : new Promise<void>((resolve) => ((held = true), (slot = resolve))),
      startFrame: async (options) => {
        started.push({ live: options?.live });
        return { done: Promise.resolve({}) };
      },
    };
    const player = new VideoPlayer(paused, { ...state(), everyFrame: true }, clock().timers);
    await player.load(c.video, c.first(), async () => null);
    player.play();
    await until(() => slot !== null);
    const pausing = player.pause();
    slot!();
    await pausing;
    await player.seek(1);
    // Open, three frames of playback, the one the pause caught (the stream's last), the seek:
    // only playback's are forced live (a seek while playing is the stream's as the app says).
    expect(started.map((s) => s.live)).toEqual([undefined, true, true, true, true, undefined]);
    expect(player.state.playing).toBe(false);
    await player.remove();
  });

  it('a seek while playing tells the host the stream jumped, after the still and before playback goes on; a seek while paused does not', async () => {
    const c = clip(60);
    const { h } = host();
    const events: string[] = [];
    const watching: FrameSourceHost = {
      ...h,
      frameSlot: () => new Promise((resolve) => setTimeout(resolve, 0)), // a task a frame
      startFrame: async (options) => {
        events.push(options?.live ? 'live' : 'still');
        return { done: Promise.resolve({}) };
      },
      interrupted: () => void events.push('interrupted'),
    };
    const playing = { ...state(), everyFrame: true, loop: true }; // plays until paused
    const player = new VideoPlayer(watching, playing, clock().timers);
    await player.load(c.video, c.first(), async () => null);
    player.play();
    await until(() => events.length >= 4);
    await player.seek(3);
    await until(() => events.lastIndexOf('live') > events.indexOf('interrupted'));
    await player.pause();
    const at = events.indexOf('interrupted');
    expect(events.filter((e) => e === 'interrupted')).toHaveLength(1);
    expect(events.slice(at - 1, at + 2)).toEqual(['still', 'interrupted', 'live']);
    await player.seek(1);
    expect(events.filter((e) => e === 'interrupted')).toHaveLength(1);
    await player.remove();
  });

  it('seek shows the frame at that time; step moves one frame from where the last landed', async () => {
    const c = clip(20);
    const { h, uploaded } = host();
    const player = new VideoPlayer(h, state(), clock().timers);
    await player.load(c.video, c.first(), async () => null);
    await player.seek(1.05);
    expect(player.frameIndex).toBe(10);
    await Promise.all([player.step(1), player.step(1), player.step(-1)]);
    expect(player.frameIndex).toBe(11);
    await player.step(-100);
    expect(player.frameIndex).toBe(0);
    expect(uploaded).toEqual([0, 10, 11, 12, 11, 0]);
    await player.remove();
    expect(c.open.size).toBe(0);
    expect(c.closedTwice()).toBe(0);
  });

  it('a decoder that fails mid-play is made again from the frame on screen: playback goes on', async () => {
    const c = clip(12);
    let calls = 0;
    const failing: PlayableVideo = {
      ...c.video,
      // The first decoder dies after frame 5 (as one does when the GPU process goes away).
      async *frames(start = 0) {
        const first = ++calls === 1;
        for await (const f of c.video.frames(start)) {
          if (first && c.video.indexAt(f.timestamp) === 6) {
            f.close();
            throw new Error('Decoding error.');
          }
          yield f;
        }
      },
    };
    const { h, uploaded, errors } = host();
    const player = new VideoPlayer(h, { ...state(), everyFrame: true }, clock().timers);
    await player.load(failing, c.first(), async () => null);
    player.play();
    await until(() => !player.state.playing);
    expect(errors).toEqual([]);
    expect(calls).toBe(2);
    // Each frame once, in order: the new decoder starts after the frame on screen (5).
    expect(uploaded).toEqual([0, ...Array(12).keys()]);
    expect(player.state.decoded).toBe(player.state.shown + player.state.dropped);
    await player.remove();
    expect(c.open.size).toBe(0);
    expect(c.closedTwice()).toBe(0);
  });

  it('a frame whose upload meets a lost device is dropped with that reason; playback goes on', async () => {
    const c = clip(8);
    const { h, uploaded, errors } = host();
    const lostAt = 3;
    const engine = {
      setSourceFrame: async (f: { index: number }) => {
        if (f.index === lostAt) throw new Error('Device was destroyed.');
        uploaded.push(f.index);
      },
      gpu: { lostUnder: async () => true },
    } as unknown as Engine;
    const player = new VideoPlayer(
      { ...h, engine },
      { ...state(), everyFrame: true },
      clock().timers,
    );
    await player.load(c.video, c.first(), async () => null);
    player.play();
    await until(() => !player.state.playing);
    expect(errors).toEqual([]);
    expect(uploaded).toEqual([0, 0, 1, 2, 4, 5, 6, 7]);
    expect(player.state).toMatchObject({ decoded: 9, shown: 8, dropped: 1 });
    expect(player.state.dropReasons).toEqual({ [DROP_LOST]: 1 });
    await player.remove();
    expect(c.open.size).toBe(0);
    expect(c.closedTwice()).toBe(0);
  });

  it('Play while another video opens starts nothing: the new one opens paused, then plays', async () => {
    const a = clip(40);
    const b = clip(8);
    const { h, uploaded } = host();
    const player = new VideoPlayer(h, state(), clock().timers);
    await player.load(a.video, a.first(), async () => null);
    let decoded!: () => void;
    const opening = player.open(
      () =>
        new Promise((resolve) => {
          decoded = () => resolve({ video: b.video, first: b.first() });
        }),
      async () => null,
    );
    expect(player.state.opening).toBe(true);
    player.play(); // the user presses Play while the new clip is still being read
    expect(player.state.playing).toBe(false);
    decoded();
    await opening;
    expect(player.state).toMatchObject({ opening: false, opened: 2, playing: false });
    expect(player.state.file).toBe(b.video);
    expect(a.open.size).toBe(0);
    player.play();
    expect(player.state.playing).toBe(true);
    await player.remove();
    expect(uploaded.length).toBeGreaterThan(1);
  });

  it('a video that fails to open leaves the one before in place, playable', async () => {
    const a = clip(8);
    const { h } = host();
    const player = new VideoPlayer(h, state(), clock().timers);
    await player.load(a.video, a.first(), async () => null);
    const failed = player.open(
      () => Promise.reject(new Error('not a video')),
      async () => null,
    );
    await expect(failed).rejects.toThrow('not a video');
    expect(player.state).toMatchObject({ opening: false, opened: 1 });
    expect(player.state.file).toBe(a.video);
    player.play();
    expect(player.state.playing).toBe(true);
    await player.remove();
  });
});
