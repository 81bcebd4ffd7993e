import type { RgbaImage } from '../core/image';
import type { GpuContext } from './device';

/** How pixels reached the GPU: zero-copy import where the browser allows it, else a CPU copy. */
export type UploadPath = 'copyExternalImageToTexture' | 'writeTexture';

export interface Uploaded {
  texture: GPUTexture;
  path: UploadPath;
}

const SOURCE_USAGE =
  GPUTextureUsage.TEXTURE_BINDING |
  GPUTextureUsage.COPY_DST |
  GPUTextureUsage.COPY_SRC |
  // copyExternalImageToTexture writes through a render pass internally.
  GPUTextureUsage.RENDER_ATTACHMENT;

function isRgbaImage(source: ImageBitmap | RgbaImage): source is RgbaImage {
  return 'data' in source;
}

function writePixels(gpu: GpuContext, texture: GPUTexture, image: RgbaImage): void {
  gpu.device.queue.writeTexture(
    { texture },
    image.data,
    { bytesPerRow: image.width * 4, rowsPerImage: image.height },
    [image.width, image.height],
  );
}

/** Draws a bitmap to a 2D canvas to get its bytes: the fallback when GPU import is refused. */
export function bitmapPixels(bitmap: ImageBitmap): RgbaImage {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  return { width: bitmap.width, height: bitmap.height, data };
}

/** Uploads a decoded image into a new texture owned by the caller (destroy it via `gpu.destroy`). */
export function uploadImage(
  gpu: GpuContext,
  source: ImageBitmap | RgbaImage,
  label: string,
): Uploaded {
  const texture = gpu.createTexture({
    label,
    size: [source.width, source.height],
    format: 'rgba8unorm',
    usage: SOURCE_USAGE,
  });
  if (isRgbaImage(source)) {
    writePixels(gpu, texture, source);
    return { texture, path: 'writeTexture' };
  }
  try {
    gpu.device.queue.copyExternalImageToTexture({ source }, { texture }, [
      source.width,
      source.height,
    ]);
    return { texture, path: 'copyExternalImageToTexture' };
  } catch {
    writePixels(gpu, texture, bitmapPixels(source));
    return { texture, path: 'writeTexture' };
  }
}
