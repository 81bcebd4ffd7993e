import type { RgbaImage } from '../../core/image';
import { bitmapPixels } from '../../gpu/upload';

import type { BatchItem } from '../../session/compare/batch';

export type { BatchItem };

/**
 * `count` batch images from the three bundled photos: each photo scaled so its longer side is
 * `longSide`, then cut into different crops (nine tenths of it, at shifting offsets), so no
 * two items are the same picture.
 */
export async function sampleImages(longSide: number, count: number): Promise<BatchItem[]> {
  const names = ['astronaut-256.png', 'chelsea.png', 'washington.jpg'];
  const photos: RgbaImage[] = [];
  for (const name of names) {
    const bitmap = await sampleBitmap(name, longSide);
    photos.push(bitmapPixels(bitmap));
    bitmap.close();
  }
  return Array.from({ length: count }, (_, i) => {
    const photo = photos[i % photos.length];
    const round = Math.floor(i / photos.length);
    const w = Math.max(1, Math.round(photo.width * 0.9));
    const h = Math.max(1, Math.round(photo.height * 0.9));
    const step = (round * 7) % 11;
    const x = Math.round(((photo.width - w) * step) / 10);
    const y = Math.round(((photo.height - h) * ((step * 3) % 11)) / 10);
    const base = names[i % names.length].replace(/\.[^.]+$/, '');
    return {
      name: `${base}-${String(round + 1).padStart(2, '0')}.png`,
      image: crop(photo, x, y, w, h),
    };
  });
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

function crop(image: RgbaImage, x: number, y: number, width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 4;
    data.set(image.data.subarray(from, from + width * 4), row * width * 4);
  }
  return { width, height, data };
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
