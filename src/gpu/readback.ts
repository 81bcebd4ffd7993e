import type { RgbaImage } from '../core/image';
import type { GpuContext } from './device';

/** A rectangle of a texture, in its pixels. */
export interface TextureRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Records a copy of an rgba8unorm texture (or of `region` of it) into a mappable buffer. Submit
 * `encoder`, then call the returned function to map the buffer and get the pixels; the buffer is
 * destroyed either way. Each call counts one readback (the GPU-only display path never makes one),
 * but for the engine's own checks.
 */
export function recordReadback(
  gpu: GpuContext,
  encoder: GPUCommandEncoder,
  texture: GPUTexture,
  region: TextureRegion = { x: 0, y: 0, width: texture.width, height: texture.height },
  /** Counted as one of the frames' readbacks (not: a check of the engine's own). */
  counted = true,
): () => Promise<RgbaImage> {
  const { width, height } = region;
  // Rows in a texture-to-buffer copy must start on 256-byte boundaries.
  const bytesPerRow = Math.ceil((width * 4) / 256) * 256;
  const buffer = gpu.createBuffer({
    label: `Triad.readback.${texture.label}`,
    size: bytesPerRow * height,
    usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
  });
  encoder.copyTextureToBuffer({ texture, origin: [region.x, region.y] }, { buffer, bytesPerRow }, [
    width,
    height,
  ]);
  if (counted) gpu.counters.readbacks++;
  return async () => {
    try {
      await buffer.mapAsync(GPUMapMode.READ);
      const padded = new Uint8Array(buffer.getMappedRange());
      const data = new Uint8ClampedArray(width * height * 4);
      for (let y = 0; y < height; y++) {
        data.set(padded.subarray(y * bytesPerRow, y * bytesPerRow + width * 4), y * width * 4);
      }
      buffer.unmap();
      return { width, height, data };
    } finally {
      gpu.destroy(buffer);
    }
  };
}

/**
 * Copies a texture to CPU memory now. The copy is recorded into `encoder` (so pending work and the
 * copy share one submit) and the encoder is submitted. Used by export, tests and CPU stages.
 */
export async function readTexture(
  gpu: GpuContext,
  texture: GPUTexture,
  encoder = gpu.device.createCommandEncoder({ label: 'Triad.readback.encoder' }),
  region?: TextureRegion,
): Promise<RgbaImage> {
  const collect = recordReadback(gpu, encoder, texture, region);
  gpu.submit([encoder.finish()]);
  return collect();
}
