import { describe, expect, it } from 'vitest';
import type { OwnedFrame } from '../media/video/frames';
import { FrameOnScreen } from './frame-on-screen';

/** A frame that records its closes (a VideoFrame stand-in: the holder only passes it on). */
function frame(name: string, closes: string[]): OwnedFrame {
  return {
    frame: { name } as unknown as VideoFrame,
    timestamp: 0,
    duration: 0,
    close: () => closes.push(name),
  };
}

describe('the frame on screen', () => {
  it('holds one frame: a new one closes the one before, never itself', () => {
    const closes: string[] = [];
    const held = new FrameOnScreen();
    const a = frame('a', closes);
    held.hold(a);
    held.hold(a);
    expect(closes).toEqual([]);
    held.hold(frame('b', closes));
    expect(closes).toEqual(['a']);
    held.release();
    expect(closes).toEqual(['a', 'b']);
    expect(held.frame).toBeNull();
  });

  it('gives a new engine the frame on screen, and nothing when there is none', async () => {
    const given: unknown[] = [];
    const engine = { setSourceFrame: async (f: VideoFrame) => void given.push(f) };
    const held = new FrameOnScreen();
    await held.restore(engine);
    expect(given).toEqual([]);
    const b = frame('b', []);
    held.hold(b);
    await held.restore(engine);
    await held.restore(null); // no engine (the device is still coming back)
    expect(given).toEqual([b.frame]);
  });
});
