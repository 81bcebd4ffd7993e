// The pool on a real device (Dawn in Node, as src/engine/headless.test.ts): what it creates and
// destroys as frames overlap, counted through the context's live textures.
import { describe, expect, it } from 'vitest';
import { dawnContext } from './dawn-context.test-support';
import { PEAK_WINDOW_FRAMES, TexturePool } from './texture-pool';

const context = dawnContext();

/** The queue has done its work and the destructions waiting on it have run. */
async function settled(): Promise<void> {
  await context().device.queue.onSubmittedWorkDone();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** The serial in a pool texture's label: how many the pool had made before it. */
const serial = (t: GPUTexture) => Number(t.label.split('#')[1]);

describe('TexturePool', () => {
  it('keeps what three overlapping frames need: it makes no more textures than were ever held at once', async () => {
    const pool = new TexturePool(context());
    // Three frames in flight, as an export runs them: a frame takes its source copy when it
    // starts and the texture its CPU result is uploaded to later; the oldest ends when it has
    // both. The steps come in an irregular (seeded) order, as they do in the browser: frames end
    // in bursts, and the frames in flight at one frame's end hold less than the frames need.
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) / 65536;
    const running: GPUTexture[][] = [];
    let made = 0;
    let heldMost = 0;
    const take = (frame: GPUTexture[]) => {
      const texture = pool.acquire(64, 32);
      made = Math.max(made, serial(texture) + 1);
      frame.push(texture);
      heldMost = Math.max(heldMost, pool.inUseCount);
    };
    for (let step = 0; step < 600; step++) {
      const choice = random();
      const waiting = running.find((f) => f.length === 1);
      if (choice < 0.34 && running.length < 3) {
        const frame: GPUTexture[] = [];
        take(frame);
        running.push(frame);
      } else if (choice < 0.67 && waiting) take(waiting);
      else if (running[0]?.length === 2) {
        for (const t of running.shift()!) pool.release(t);
        pool.endFrame();
      }
    }
    expect(heldMost).toBe(6);
    // One more at most, when a window of frames never held six (trimming to each frame's end
    // alone made 121 here).
    expect(made).toBeLessThanOrEqual(heldMost + 1);
    pool.destroy();
    await settled();
  });

  it('destroys what the frames stopped needing, after the window and once the queue is done', async () => {
    const live = context().counters.liveTextures;
    const pool = new TexturePool(context());
    const frame = (count: number) => {
      const held = Array.from({ length: count }, () => pool.acquire(16, 16));
      for (const t of held) pool.release(t);
      pool.endFrame();
    };
    frame(4);
    for (let i = 0; i < PEAK_WINDOW_FRAMES - 1; i++) frame(1);
    expect(pool.freeCount).toBe(4); // the four-texture frame is still in the window
    frame(1);
    expect(pool.freeCount).toBe(1);
    // Given to the queue, not destroyed under work that may still run.
    expect(context().counters.liveTextures).toBe(live + 4);
    await settled();
    expect(context().counters.liveTextures).toBe(live + 1);
    pool.destroy();
    expect(context().counters.liveTextures).toBe(live);
  });
});
