import type { DemuxResult } from './demuxer';

/**
 * The video worker's API (workers/video.worker.ts implements it): demuxing and decoding one file
 * off the page. Frames are transferred to the page, never copied.
 */
export interface VideoWorkerApi {
  open(file: Blob, options: { decode: boolean }): Promise<DemuxResult>;
  frameAt(time: number): Promise<VideoFrame | null>;
  /** Starts a stream of frames from `start` (s); returns its id. */
  startFrames(start: number): number;
  next(id: number): Promise<VideoFrame | null>;
  stopFrames(id: number): Promise<void>;
  close(): void;
  /** Fault injection (tests): throws outside any call, as a worker that dies does. */
  crash(): void;
}
