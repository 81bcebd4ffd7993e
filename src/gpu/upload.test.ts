// How a still image reaches the GPU, on a real compatibility-mode device (Dawn in Node, as the app
// on lavapipe): by a CPU copy, never the browser's import.
import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../core/image';
import { dawnContext } from './dawn-context.test-support';
import type { GpuContext } from './device';
import { readTexture } from './readback';
import { importsImages, uploadImage } from './upload';

const compatibility = dawnContext();

describe('uploadImage', () => {
  it("writes a bitmap's CPU bytes on a compatibility-mode adapter, and they read back whole", async () => {
    const gpu = compatibility();
    expect(gpu.adapter.featureLevel).toBe('compatibility');
    expect(importsImages(gpu)).toBe(false);
    const pixels: RgbaImage = {
      width: 3,
      height: 2,
      data: new Uint8ClampedArray(Array.from({ length: 24 }, (_, i) => (i * 37) % 256)),
    };
    // Node has no ImageBitmap: a stand-in whose bytes `pixelsOf` gives (the 2D canvas's job).
    const bitmap = { width: 3, height: 2 } as ImageBitmap;
    const read: ImageBitmap[] = [];
    const { texture, path } = uploadImage(gpu, bitmap, 'test.image', (b) => {
      read.push(b);
      return pixels;
    });
    expect(path).toBe('writeTexture');
    expect(read).toEqual([bitmap]);
    const back = await readTexture(gpu, texture);
    expect([...back.data]).toEqual([...pixels.data]);
    texture.destroy();
  });

  it('imports on a core adapter', () => {
    const core = { adapter: { featureLevel: 'core' } } as unknown as GpuContext;
    expect(importsImages(core)).toBe(true);
  });
});
