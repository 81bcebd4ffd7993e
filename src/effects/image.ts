import { createImage, type RgbaImage } from '../core/image';

export { createImage, type RgbaImage };

/** Float in [0, 1] to a byte, rounding to nearest as a GPU's unorm8 store does. */
export function toByte(v: number): number {
  return Math.round(Math.min(1, Math.max(0, v)) * 255);
}

/**
 * Applies `fn` to each pixel's RGB in [0, 1]; alpha is kept. `fn` writes into `out`. `y` is in
 * full-frame rows: the image's first row is row `top`.
 */
export function mapRgb(
  src: RgbaImage,
  fn: (r: number, g: number, b: number, out: Float64Array, x: number, y: number) => void,
  top = 0,
): RgbaImage {
  const dst = createImage(src.width, src.height);
  const rgb = new Float64Array(3);
  const s = src.data;
  const d = dst.data;
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      const i = (y * src.width + x) * 4;
      fn(s[i] / 255, s[i + 1] / 255, s[i + 2] / 255, rgb, x, y + top);
      d[i] = toByte(rgb[0]);
      d[i + 1] = toByte(rgb[1]);
      d[i + 2] = toByte(rgb[2]);
      d[i + 3] = s[i + 3];
    }
  }
  return dst;
}

/** Reads channel `c` of pixel (x, y) with coordinates clamped to the edge, as a value in [0, 1]. */
export function loadClamped(img: RgbaImage, x: number, y: number, c: number): number {
  const cx = Math.min(img.width - 1, Math.max(0, x));
  const cy = Math.min(img.height - 1, Math.max(0, y));
  return img.data[(cy * img.width + cx) * 4 + c] / 255;
}

/**
 * Bilinear tap of channel `c` at (qx, qy) in pixel units (pixel centres at +0.5), edges clamped,
 * as a value in [0, 1]: the CPU twin of the WGSL prelude's `bilinear`.
 */
export function bilinearAt(img: RgbaImage, qx: number, qy: number, c: number): number {
  const x = qx - 0.5;
  const y = qy - 0.5;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const top = loadClamped(img, x0, y0, c) * (1 - fx) + loadClamped(img, x0 + 1, y0, c) * fx;
  const bottom =
    loadClamped(img, x0, y0 + 1, c) * (1 - fx) + loadClamped(img, x0 + 1, y0 + 1, c) * fx;
  return top * (1 - fy) + bottom * fy;
}

/** Rec. 709 luma weights, used by grayscale, saturation and Sobel alike. */
export const LUMA = [0.2126, 0.7152, 0.0722] as const;

/**
 * A 256-entry table per colour channel, `map(channel, input)` on each 8-bit input in [0, 1]. For
 * per-value tone maps on 8-bit pixels it is exactly the per-pixel arithmetic, at table cost.
 */
export function channelTables(map: (channel: 0 | 1 | 2, x: number) => number): Uint8Array[] {
  return ([0, 1, 2] as const).map((c) => {
    const table = new Uint8Array(256);
    for (let v = 0; v < 256; v++) table[v] = toByte(map(c, v / 255));
    return table;
  });
}

/** Looks each pixel's R, G and B up in its channel's table; alpha is kept. */
export function applyChannelTables(src: RgbaImage, tables: readonly Uint8Array[]): RgbaImage {
  const dst = createImage(src.width, src.height);
  const [s, d] = [src.data, dst.data];
  const [r, g, b] = tables;
  for (let i = 0; i < s.length; i += 4) {
    d[i] = r[s[i]];
    d[i + 1] = g[s[i + 1]];
    d[i + 2] = b[s[i + 2]];
    d[i + 3] = s[i + 3];
  }
  return dst;
}
