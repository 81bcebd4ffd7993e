import type { RgbaImage } from '../core/image';
import type { TextureRegion } from '../gpu/readback';

/**
 * Mean difference (levels of 255, over R, G and B) past which the GPU's copy of a decoded frame
 * is not that frame. The upload paths convert YUV to RGB on different sides (the GPU's import,
 * the CPU's `copyTo`) and differ by a few levels; a source read as zeros, or another texture's
 * pixels, differ by tens to hundreds.
 */
export const SOURCE_TOLERANCE = 40;

/** A strip across the middle of a `width` × `height` frame, on even coordinates (chroma-aligned). */
export function probeRegion(width: number, height: number): TextureRegion {
  const even = (v: number) => Math.max(0, Math.floor(v / 2) * 2);
  const w = Math.min(width, 64);
  const h = Math.min(height, 4);
  return { x: even((width - w) / 2), y: even((height - h) / 2), width: w, height: h };
}

/** Mean absolute difference of two images' R, G and B (the same size). */
export function meanDifference(a: RgbaImage, b: RgbaImage): number {
  if (a.width !== b.width || a.height !== b.height)
    throw new Error(`${a.width}×${a.height} and ${b.width}×${b.height} cannot be compared`);
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 4)
    sum +=
      Math.abs(a.data[i] - b.data[i]) +
      Math.abs(a.data[i + 1] - b.data[i + 1]) +
      Math.abs(a.data[i + 2] - b.data[i + 2]);
  return sum / ((a.data.length / 4) * 3);
}

/**
 * `region` of a decoded frame (relative to its visible rectangle) as RGBA, converted on the CPU;
 * null where the browser cannot convert it (then the frame goes unchecked).
 */
export async function decodedRegion(
  frame: VideoFrame,
  region: TextureRegion,
): Promise<RgbaImage | null> {
  const visible = frame.visibleRect;
  if (!visible) return null;
  const data = new Uint8ClampedArray(region.width * region.height * 4);
  try {
    await frame.copyTo(data, {
      rect: { ...region, x: visible.x + region.x, y: visible.y + region.y },
      format: 'RGBA',
      layout: [{ offset: 0, stride: region.width * 4 }],
    });
  } catch {
    return null;
  }
  return { width: region.width, height: region.height, data };
}
