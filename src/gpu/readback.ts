import type { RgbaImage } from '../effects/image';
import type { GpuContext } from './device';

/**
 * Copies an rgba8unorm texture to CPU memory. Never used on the GPU-only display path: export,
 * tests and CPU stages read pixels back, and each call counts one readback. The copy is recorded
 * into `encoder` (so pending work and the copy share one submit) and the encoder is submitted.
 */
export async function readTexture(
  gpu: GpuContext,
  texture: GPUTexture,
  encoder = gpu.device.createCommandEncoder({ label: 'Triad.readback.encoder' }),
): Promise<RgbaImage> {
  const { width, height } = texture;
  // Rows in a texture-to-buffer copy must start on 256-byte boundaries.
  const bytesPerRow = Math.ceil((width * 4) / 256) * 256;
  const buffer = gpu.createBuffer({
    label: `Triad.readback.${texture.label}`,
    size: bytesPerRow * height,
    usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
  });
  try {
    encoder.copyTextureToBuffer({ texture }, { buffer, bytesPerRow }, [width, height]);
    gpu.submit([encoder.finish()]);
    gpu.counters.readbacks++;
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
}
