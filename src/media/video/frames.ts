/**
 * Every decoded VideoFrame the app holds goes through `own()` and is closed exactly once through
 * the returned handle: the live count (readable by tests) is the number of open frames.
 */
export interface OwnedFrame {
  readonly frame: VideoFrame;
  /** Presentation time in seconds. */
  readonly timestamp: number;
  readonly duration: number;
  close(): void;
}

/** Open frames now, the most open at once since `peak` was reset, and double closes (bugs). */
export const liveFrames = { count: 0, peak: 0, closedTwice: 0 };

export function own(frame: VideoFrame): OwnedFrame {
  liveFrames.count++;
  liveFrames.peak = Math.max(liveFrames.peak, liveFrames.count);
  let closed = false;
  return {
    frame,
    timestamp: frame.timestamp / 1e6,
    duration: (frame.duration ?? 0) / 1e6,
    close() {
      if (closed) {
        liveFrames.closedTwice++; // a bug: tests fail on it
        return;
      }
      closed = true;
      liveFrames.count--;
      frame.close();
    },
  };
}
