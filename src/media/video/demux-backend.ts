import * as Comlink from 'comlink';
import { Tripwire } from '../../core/tripwire';
import type { VideoWorkerApi } from './protocol';
import { Demuxer, type DemuxResult } from './demuxer';

/** A Demuxer's calls, answered in a worker or on the page. */
export interface DemuxBackend {
  readonly thread: 'worker' | 'page';
  open(file: Blob, options: { decode: boolean }): Promise<DemuxResult>;
  frameAt(time: number): Promise<VideoFrame | null>;
  startFrames(start: number): Promise<number>;
  next(id: number): Promise<VideoFrame | null>;
  stopFrames(id: number): Promise<void>;
  close(): void;
  /** The worker died (an uncaught error, an unreadable message): a new backend must take over. */
  readonly failed: boolean;
  /** Fault injection (tests): the worker dies. */
  crash(): void;
}

/** The Demuxer on the page (where no worker can start, or forced by ?decoder=page). */
export function pageBackend(): DemuxBackend {
  const demuxer = new Demuxer();
  return {
    thread: 'page',
    open: (file, options) => demuxer.open(file, options),
    frameAt: (time) => demuxer.frameAt(time),
    startFrames: async (start) => demuxer.startFrames(start),
    next: (id) => demuxer.next(id),
    stopFrames: (id) => demuxer.stopFrames(id),
    close: () => demuxer.close(),
    failed: false,
    crash: () => {
      throw new Error('decoding on the page: there is no worker to crash');
    },
  };
}

/**
 * The Demuxer in a worker of its own (one per open file), frames transferred to the page. A
 * worker that fails (cannot start, throws outside a call) or is closed fails every call still
 * waiting instead of leaving it hanging.
 */
export function workerBackend(): DemuxBackend {
  const raw = new Worker(new URL('../../../workers/video.worker.ts', import.meta.url), {
    type: 'module',
    name: 'Triad video',
  });
  const api = Comlink.wrap<VideoWorkerApi>(raw);
  // Not Promise.race with a long-lived "died" promise: that kept every frame ever sent (Tripwire).
  const died = new Tripwire();
  raw.addEventListener('error', (event) => {
    event.preventDefault(); // reported as the video's problem, not as the page's
    died.trip(new Error(`the video worker failed: ${event.message || 'it could not start'}`));
  });
  raw.addEventListener('messageerror', () =>
    died.trip(new Error('the video worker sent a message that could not be read')),
  );
  const call = <T>(answer: Promise<T>): Promise<T> => died.guard(answer);
  let closed = false;
  return {
    thread: 'worker',
    // Comlink's Remote type splits the union; the value is a DemuxResult as sent.
    open: (file, options) => call(api.open(file, options) as Promise<DemuxResult>),
    frameAt: (time) => call(api.frameAt(time)),
    startFrames: (start) => call(api.startFrames(start)),
    next: (id) => call(api.next(id)),
    stopFrames: (id) => call(api.stopFrames(id)),
    get failed() {
      return died.tripped && !closed;
    },
    crash: () => void api.crash(),
    close() {
      closed = true;
      died.trip(new Error('the video was closed'));
      api[Comlink.releaseProxy]();
      raw.terminate();
    },
  };
}
