/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import type { PngEncoderApi } from '../src/media/png-protocol';

/** Encodes straight-alpha RGBA pixels as a PNG. Runs in a worker so export never blocks the UI. */
const api: PngEncoderApi = {
  async encodePng(width: number, height: number, pixels: ArrayBuffer): Promise<Blob> {
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('2D canvas is not available in this worker');
    ctx.putImageData(new ImageData(new Uint8ClampedArray(pixels), width, height), 0, 0);
    return canvas.convertToBlob({ type: 'image/png' });
  },
};

Comlink.expose(api);
