import type { RgbaImage } from '../core/image';
import type { GpuContext } from './device';

/**
 * Records a copy of an rgba8unorm texture into a mappable buffer. Submit `encoder`, then call the
 * returned function to map the buffer and get the pixels; the buffer is destroyed either way.
 * Each call counts one readback: the GPU-only display path never makes one.
 */
export function recordReadback(
  gpu: GpuContext,
  encoder: GPUCommandEncoder,
  texture: GPUTexture,
): () => Promise<RgbaImage> {
  const { width, height } = texture;
  // Rows in a texture-to-buffer copy must start on 256-byte boundaries.
  const bytesPerRow = Math.ceil((width * 4) / 256) * 256;
  const buffer = gpu.createBuffer({
    label: `Triad.readback.${texture.label}`,
    size: bytesPerRow * height,
    usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
  });
  encoder.copyTextureToBuffer({ texture }, { buffer, bytesPerRow }, [width, height]);
  gpu.counters.readbacks++;
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
): Promise<RgbaImage> {
  const collect = recordReadback(gpu, encoder, texture);
  gpu.submit([encoder.finish()]);
  return collect();
}
