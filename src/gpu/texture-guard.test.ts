// The guard on a real device (Dawn in Node): a kernel loads an intact texture as a copy of it
// read after the upload, one written over in place (as Chromium's GL backend does, with no
// error) not.
import { describe, expect, it } from 'vitest';
import { createImage } from '../core/image';
import { dawnContext } from './dawn-context.test-support';
import { guardRegions, TextureGuard } from './texture-guard';
import { readTexture } from './readback';
import { POOL_USAGE } from './texture-pool';
import { uploadImage } from './upload';

const context = dawnContext();

/** A picture with no flat row: every guarded pixel is far from zero. */
function picture(width: number, height: number) {
  const image = createImage(width, height);
  for (let i = 0; i < image.data.length; i += 4)
    image.data.set([40 + ((i / 4) % 200), 90, 160 + ((i / 4) % 90), 255], i);
  return image;
}

describe('guardRegions', () => {
  it('reads three centred 64-pixel rows of a large texture, fewer and narrower on a small one', () => {
    expect(guardRegions(200, 100)).toEqual([
      { x: 68, y: 25, width: 64, height: 1 },
      { x: 68, y: 50, width: 64, height: 1 },
      { x: 68, y: 75, width: 64, height: 1 },
    ]);
    expect(guardRegions(1, 1)).toEqual([{ x: 0, y: 0, width: 1, height: 1 }]);
    expect(guardRegions(10, 2)).toEqual([
      { x: 0, y: 0, width: 10, height: 1 },
      { x: 0, y: 1, width: 10, height: 1 },
    ]);
  });
});

describe('TextureGuard', () => {
  it('writes the rows a kernel loads into a corner of each free work texture and reads them back', async () => {
    const gpu = context();
    const { texture } = uploadImage(gpu, picture(150, 90), 'guarded');
    const guard = new TextureGuard(gpu, texture);
    const work = [120, 8].map((h) =>
      gpu.createTexture({
        label: `work ${h}`,
        size: [150, h],
        format: 'rgba8unorm',
        usage: POOL_USAGE,
      }),
    );
    // The 150×8 texture holds the three rows; a texture smaller than them is left alone.
    const tiny = gpu.createTexture({
      label: 'tiny',
      size: [4, 2],
      format: 'rgba8unorm',
      usage: POOL_USAGE,
    });
    expect(await guard.changed([...work, tiny])).toBe(0);
    const corner = await readTexture(gpu, work[1], undefined, { x: 0, y: 0, width: 64, height: 3 });
    const rows = await Promise.all(
      guardRegions(150, 90).map((region) => readTexture(gpu, texture, undefined, region)),
    );
    expect(Array.from(corner.data)).toEqual(rows.flatMap((r) => Array.from(r.data)));
    for (const t of [...work, tiny, texture]) gpu.destroy(t);
    guard.destroy();
    await gpu.device.queue.onSubmittedWorkDone();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });

  it('against copies read in each check, follows a texture rewritten between checks', async () => {
    const gpu = context();
    const { texture } = uploadImage(gpu, picture(150, 90), 'rewritten every frame');
    const fresh = new TextureGuard(gpu, texture, 'each check');
    const once = new TextureGuard(gpu, texture, 'upload');
    expect(await fresh.changed()).toBe(0);
    expect(await once.changed()).toBe(0);
    gpu.device.queue.writeTexture(
      { texture },
      new Uint8Array(150 * 90 * 4).fill(7),
      { bytesPerRow: 150 * 4 },
      [150, 90],
    );
    // The next frame's pixels: what a kernel loads is what a copy reads, so nothing moved…
    expect(await fresh.changed()).toBe(0);
    // …while against the upload, every byte of the three rows did.
    expect(await once.changed()).toBe(3 * 64 * 4);
    fresh.destroy();
    once.destroy();
    gpu.destroy(texture);
    await gpu.device.queue.onSubmittedWorkDone();
  });

  it('finds nothing moved in an intact texture, and every guarded byte that a write changed', async () => {
    const gpu = context();
    const { texture } = uploadImage(gpu, picture(150, 90), 'guarded');
    const live = { textures: gpu.counters.liveTextures, buffers: gpu.counters.liveBuffers };
    const guard = new TextureGuard(gpu, texture);
    const readbacks = gpu.counters.readbacks;
    expect(await guard.changed()).toBe(0);
    expect(await guard.changed()).toBe(0);
    // The engine's own check is not one of the frames' readbacks.
    expect(gpu.counters.readbacks).toBe(readbacks);
    gpu.device.queue.writeTexture(
      { texture },
      new Uint8Array(150 * 90 * 4),
      { bytesPerRow: 150 * 4 },
      [150, 90],
    );
    // Three rows of 64 pixels, four bytes each, none of them zero before.
    expect(await guard.changed()).toBe(3 * 64 * 4);
    // What the guard made of its own (its rows, its uniforms) goes with it.
    guard.destroy();
    await gpu.device.queue.onSubmittedWorkDone();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(gpu.counters.liveTextures).toBe(live.textures);
    expect(gpu.counters.liveBuffers).toBe(live.buffers);
    gpu.destroy(texture);
  });
});
