import { createImage, toByte, type RgbaImage } from '../effects/image';

/** Output size that fits `maxWidth` × `maxHeight`, keeping the aspect ratio (never upscales). */
export function fitSize(
  width: number,
  height: number,
  maxWidth: number,
  maxHeight = Infinity,
): [number, number] {
  const k = Math.min(1, maxWidth / width, maxHeight / height);
  return [Math.max(1, Math.round(width * k)), Math.max(1, Math.round(height * k))];
}

/**
 * Area (box) resize, the CPU twin of shaders/resize-area.wgsl: each output pixel averages the
 * input area it covers, with fractional weights at the edges.
 */
export function resizeArea(src: RgbaImage, width: number, height: number): RgbaImage {
  const dst = createImage(width, height);
  const sx = Math.fround(src.width / width);
  const sy = Math.fround(src.height / height);
  const sum = [0, 0, 0, 0];
  for (let oy = 0; oy < height; oy++) {
    const y0 = oy * sy;
    const y1 = Math.min(y0 + sy, src.height);
    for (let ox = 0; ox < width; ox++) {
      const x0 = ox * sx;
      const x1 = Math.min(x0 + sx, src.width);
      sum.fill(0);
      for (let y = Math.floor(y0); y < y1; y++) {
        const wy = Math.min(y1, y + 1) - Math.max(y0, y);
        for (let x = Math.floor(x0); x < x1; x++) {
          const w = (Math.min(x1, x + 1) - Math.max(x0, x)) * wy;
          const i = (y * src.width + x) * 4;
          for (let c = 0; c < 4; c++) sum[c] += (src.data[i + c] / 255) * w;
        }
      }
      const area = (x1 - x0) * (y1 - y0);
      const o = (oy * width + ox) * 4;
      for (let c = 0; c < 4; c++) dst.data[o + c] = toByte(sum[c] / area);
    }
  }
  return dst;
}

/**
 * Bilinear resize with half-pixel centres (align_corners = false), edges clamped: the CPU twin of
 * shaders/resize-bilinear.wgsl.
 */
export function resizeBilinear(src: RgbaImage, width: number, height: number): RgbaImage {
  const dst = createImage(width, height);
  const sx = Math.fround(src.width / width);
  const sy = Math.fround(src.height / height);
  const at = (x: number, y: number, c: number) => {
    const cx = Math.min(src.width - 1, Math.max(0, x));
    const cy = Math.min(src.height - 1, Math.max(0, y));
    return src.data[(cy * src.width + cx) * 4 + c] / 255;
  };
  for (let oy = 0; oy < height; oy++) {
    const fy = (oy + 0.5) * sy - 0.5;
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let ox = 0; ox < width; ox++) {
      const fx = (ox + 0.5) * sx - 0.5;
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const o = (oy * width + ox) * 4;
      for (let c = 0; c < 4; c++) {
        const top = at(x0, y0, c) * (1 - tx) + at(x0 + 1, y0, c) * tx;
        const bottom = at(x0, y0 + 1, c) * (1 - tx) + at(x0 + 1, y0 + 1, c) * tx;
        dst.data[o + c] = toByte(top * (1 - ty) + bottom * ty);
      }
    }
  }
  return dst;
}
