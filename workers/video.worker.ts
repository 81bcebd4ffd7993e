/// <reference lib="webworker" />
// Demuxing (mediabunny) and decoding (WebCodecs) of one video file, off the page: the page asks
// for frames and gets VideoFrames transferred (never copied). The <video> element fallback stays
// on the page, where elements live.
import * as Comlink from 'comlink';
import { Demuxer } from '../src/media/video/demuxer';
import type { VideoWorkerApi } from '../src/media/video/protocol';

const demuxer = new Demuxer();

/** A frame handed to the page: transferred, so this worker no longer holds it. */
const give = (frame: VideoFrame | null) => (frame ? Comlink.transfer(frame, [frame]) : null);

const api: VideoWorkerApi = {
  open: (file: Blob, options: { decode: boolean }) => demuxer.open(file, options),
  frameAt: async (time: number) => give(await demuxer.frameAt(time)),
  startFrames: (start: number) => demuxer.startFrames(start),
  next: async (id: number) => give(await demuxer.next(id)),
  stopFrames: (id: number) => demuxer.stopFrames(id),
  close: () => demuxer.close(),
  crash: () => {
    setTimeout(() => {
      throw new Error('injected crash');
    });
  },
};

Comlink.expose(api);
