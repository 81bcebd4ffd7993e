import { createImage, loadClamped, toByte, type RgbaImage } from '../image';

export const MAX_BLUR_RADIUS = 64;

/**
 * Normalized Gaussian weights for offsets 0…radius (σ = radius / 3, at least 0.5), rounded to
 * f32 so that the CPU reference multiplies by exactly what the shader reads.
 */
export function gaussianWeights(radius: number): Float32Array {
  const w = new Float32Array(MAX_BLUR_RADIUS + 1);
  const sigma = Math.max(0.5, radius / 3);
  let total = 0;
  for (let i = 0; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    w[i] = v;
    total += i === 0 ? v : 2 * v;
  }
  for (let i = 0; i <= radius; i++) w[i] = w[i] / total;
  return w;
}

/** One separable pass on the CPU, rounding to 8 bits as the GPU's intermediate texture does. */
function blurPass(src: RgbaImage, radius: number, weights: Float32Array, axis: 0 | 1): RgbaImage {
  const dst = createImage(src.width, src.height);
  const [sx, sy] = axis === 0 ? [1, 0] : [0, 1];
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = loadClamped(src, x, y, c) * weights[0];
        for (let i = 1; i <= radius; i++) {
          sum +=
            (loadClamped(src, x + sx * i, y + sy * i, c) +
              loadClamped(src, x - sx * i, y - sy * i, c)) *
            weights[i];
        }
        dst.data[(y * src.width + x) * 4 + c] = toByte(sum);
      }
    }
  }
  return dst;
}

/** CPU reference of the two-pass blur (horizontal, then vertical). */
export function blurCpu(src: RgbaImage, radius: number): RgbaImage {
  if (radius === 0) return { ...src, data: src.data.slice() };
  const weights = gaussianWeights(radius);
  return blurPass(blurPass(src, radius, weights, 0), radius, weights, 1);
}
