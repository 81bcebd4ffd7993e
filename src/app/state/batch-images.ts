import type { RgbaImage } from '../../core/image';
import { bitmapPixels } from '../../gpu/upload';
import { BATCH_PHOTOS, batchCrops, type BatchItem } from '../../session/compare/batch';

export type { BatchItem };

/**
 * `count` batch images from the three bundled photos: each photo scaled so its longer side is
 * `longSide`, then cut into different crops (`batchCrops`, as the triad command cuts them).
 */
export async function sampleImages(longSide: number, count: number): Promise<BatchItem[]> {
  const photos: RgbaImage[] = [];
  for (const name of BATCH_PHOTOS) {
    const bitmap = await sampleBitmap(name, longSide);
    photos.push(bitmapPixels(bitmap));
    bitmap.close();
  }
  return batchCrops(photos, count);
}

/** A bundled sample photo (public/samples), scaled so its longer side is `longSide`. */
export async function sampleBitmap(name: string, longSide?: number): Promise<ImageBitmap> {
  const response = await fetch(`${import.meta.env.BASE_URL}samples/${name}`);
  if (!response.ok) throw new Error(`sample ${name}: HTTP ${response.status}`);
  const blob = await response.blob();
  if (!longSide) return createImageBitmap(blob);
  // Decoded once, then scaled from the decoded bitmap.
  const full = await createImageBitmap(blob);
  const k = longSide / Math.max(full.width, full.height);
  const [width, height] = [full.width, full.height].map((v) => Math.max(1, Math.round(v * k)));
  return createImageBitmap(full, {
    resizeWidth: width,
    resizeHeight: height,
    resizeQuality: 'high',
  }).finally(() => full.close());
}

export async function imageFromFile(file: File): Promise<RgbaImage> {
  const bitmap = await createImageBitmap(file);
  try {
    return bitmapPixels(bitmap);
  } finally {
    bitmap.close();
  }
}

export async function pngOf(image: RgbaImage): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d')!;
  ctx.putImageData(
    new ImageData(new Uint8ClampedArray(image.data), image.width, image.height),
    0,
    0,
  );
  return canvas.convertToBlob({ type: 'image/png' });
}
