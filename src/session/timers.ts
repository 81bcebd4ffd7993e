/** Time as the session sees it: injected, so the session runs (and is tested) anywhere. */
export interface Timers {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The host's own clock and timers (browser or Node). */
export const HOST_TIMERS: Timers = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
