import { SUPPORTED_IMAGES, sniffImageType, type ImageType } from './sniff';

/** A user-facing failure to open a file: names the file and the reason. */
export class MediaError extends Error {
  override name = 'MediaError';
  constructor(
    readonly fileName: string,
    readonly reason: string,
  ) {
    super(`“${fileName}”: ${reason}`);
  }
}

export interface DecodedImage {
  name: string;
  type: ImageType;
  bitmap: ImageBitmap;
  /** Size in the file, after EXIF orientation. */
  originalSize: [number, number];
  /** Set when the image was scaled down to fit the GPU's texture limit. */
  downscaled: boolean;
}

/**
 * Decodes an image file for the GPU: checks it is not empty and really is an image, honours EXIF
 * orientation, and scales down anything larger than `maxDimension` (the device's texture limit)
 * rather than failing. The first frame of an animated GIF is used.
 */
export async function decodeImageFile(
  file: Blob & { name: string },
  maxDimension: number,
): Promise<DecodedImage> {
  if (file.size === 0) throw new MediaError(file.name, 'the file is empty (0 bytes).');
  const head = new Uint8Array(await file.slice(0, 32).arrayBuffer());
  const type = sniffImageType(head);
  if (!type) {
    throw new MediaError(file.name, `not a supported image. Open a ${SUPPORTED_IMAGES} file.`);
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, {
      imageOrientation: 'from-image',
      premultiplyAlpha: 'none',
    });
  } catch {
    throw new MediaError(
      file.name,
      `the ${type} data is corrupt or truncated and could not be decoded.`,
    );
  }
  const originalSize: [number, number] = [bitmap.width, bitmap.height];
  if (bitmap.width === 0 || bitmap.height === 0) {
    bitmap.close();
    throw new MediaError(file.name, 'the image has no pixels.');
  }
  const largest = Math.max(bitmap.width, bitmap.height);
  if (largest <= maxDimension)
    return { name: file.name, type, bitmap, originalSize, downscaled: false };
  const scale = maxDimension / largest;
  try {
    const resized = await createImageBitmap(bitmap, {
      resizeWidth: Math.max(1, Math.floor(bitmap.width * scale)),
      resizeHeight: Math.max(1, Math.floor(bitmap.height * scale)),
      resizeQuality: 'high',
      premultiplyAlpha: 'none',
    });
    return { name: file.name, type, bitmap: resized, originalSize, downscaled: true };
  } catch {
    throw new MediaError(
      file.name,
      `the image (${originalSize.join('×')}) is too large to process here.`,
    );
  } finally {
    bitmap.close();
  }
}
