import { describe, expect, it } from 'vitest';
import { SourceSlot, type FrameSource } from './source-slot';

function source(kind: string, log: string[], releaseMs = 0): FrameSource {
  return {
    restore: () => void log.push(`restore ${kind}`),
    release: async () => {
      log.push(`release ${kind}`);
      if (releaseMs) await new Promise((r) => setTimeout(r, releaseMs));
      log.push(`released ${kind}`);
    },
  };
}

describe('the source slot', () => {
  it('holds one source: taking it releases the one before', async () => {
    const log: string[] = [];
    const slot = new SourceSlot();
    const video = source('video', log);
    const camera = source('camera', log);
    await slot.take(video);
    await slot.take(video); // the holder again: nothing to release
    expect(log).toEqual([]);
    await slot.take(camera);
    expect(slot.current).toBe(camera);
    expect(log).toEqual(['release video', 'released video']);
  });

  it('releases in order when sources are taken quickly one after another', async () => {
    const log: string[] = [];
    const slot = new SourceSlot();
    const [video, camera, scene] = [
      source('video', log, 20),
      source('camera', log, 5),
      source('scene', log),
    ];
    await slot.take(video);
    void slot.take(camera);
    await slot.take(scene);
    expect(log).toEqual(['release video', 'released video', 'release camera', 'released camera']);
    expect(slot.current).toBe(scene);
  });

  it('after a loss only the holder restores; a source that left is not restored', async () => {
    const log: string[] = [];
    const slot = new SourceSlot();
    const video = source('video', log);
    const image = source('image', log);
    await slot.take(video);
    await slot.take(image);
    await slot.restore();
    expect(log.filter((l) => l.startsWith('restore'))).toEqual(['restore image']);
    slot.leave(video); // not the holder: nothing changes
    expect(slot.current).toBe(image);
    slot.leave(image);
    await slot.restore();
    expect(log.filter((l) => l.startsWith('restore'))).toEqual(['restore image']);
  });

  it('a release that fails does not block the next source', async () => {
    const slot = new SourceSlot();
    const broken: FrameSource = {
      restore() {},
      release: () => Promise.reject(new Error('gone')),
    };
    const log: string[] = [];
    await slot.take(broken);
    await slot.take(source('scene', log));
    await slot.take(source('image', log));
    expect(log).toEqual(['release scene', 'released scene']);
  });
});
