import type { GpuContext } from '../gpu/device';
import type { Presenter } from '../gpu/presenter';
import { readTexture } from '../gpu/readback';

/**
 * The frame the presenter just drew, read back from the canvas's own texture (RGBA, canvas
 * size). Call it in the task that drew the frame — after that the texture is the browser's — and
 * it records and submits the copy before it returns. The test build configures the canvas
 * `readable` (COPY_SRC).
 *
 * Not a 2D copy of the canvas (`drawImage` of the WebGPU canvas): on Chromium's OpenGL ES
 * backend (lavapipe here) that copy now and then corrupts *other* textures of the page — the
 * source then reads back as zeros, a later frame is drawn from nothing (issue 15; the e2e test
 * "frame after frame, the canvas shows what its chain made" in e2e/chain.spec.ts).
 */
export function readDrawn(gpu: GpuContext, presenter: Presenter): Promise<Uint8ClampedArray> {
  const texture = presenter.drawn;
  if (!texture) throw new Error('no frame has been drawn on the canvas');
  const bgra = texture.format.startsWith('bgra');
  return readTexture(gpu, texture).then(({ data }) => {
    if (bgra) {
      for (let i = 0; i < data.length; i += 4) {
        const blue = data[i];
        data[i] = data[i + 2];
        data[i + 2] = blue;
      }
    }
    return data;
  });
}
