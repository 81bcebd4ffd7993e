import { createImage, toByte, type RgbaImage } from '../effects/image';

/**
 * CPU pre/post-processing for ML models; each function has a WGSL twin (src/ml/ops-gpu.ts) so
 * either side of the machine can do it.
 */

export type TensorLayout = 'nchw' | 'nhwc';

/** Normalization applied to RGB in [0, 1]: (v − mean) / std, per channel. */
export interface TensorSpec {
  layout: TensorLayout;
  mean: [number, number, number];
  std: [number, number, number];
}

/** RGBA pixels → float32 RGB tensor of shape [1, 3, h, w] (NCHW) or [1, h, w, 3] (NHWC). */
export function imageToTensor(image: RgbaImage, spec: TensorSpec): Float32Array {
  const { width, height, data } = image;
  const n = width * height;
  const out = new Float32Array(3 * n);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) {
      const v = (data[p * 4 + c] / 255 - spec.mean[c]) / spec.std[c];
      out[spec.layout === 'nchw' ? c * n + p : p * 3 + c] = v;
    }
  }
  return out;
}

/** The inverse: a float32 RGB tensor → opaque RGBA pixels (values clamped to [0, 1]). */
export function tensorToImage(
  tensor: Float32Array,
  width: number,
  height: number,
  spec: TensorSpec,
): RgbaImage {
  const n = width * height;
  if (tensor.length !== 3 * n)
    throw new Error(`a ${width}×${height} RGB tensor has ${3 * n} values, not ${tensor.length}`);
  const img = createImage(width, height);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) {
      const v = tensor[spec.layout === 'nchw' ? c * n + p : p * 3 + c];
      img.data[p * 4 + c] = toByte(v * spec.std[c] + spec.mean[c]);
    }
    img.data[p * 4 + 3] = 255;
  }
  return img;
}

/** Where a letterboxed image sits in its target: the content rectangle, in target pixels. */
export interface LetterboxRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function letterboxRect(
  srcWidth: number,
  srcHeight: number,
  width: number,
  height: number,
): LetterboxRect {
  const scale = Math.min(width / srcWidth, height / srcHeight);
  const w = Math.max(1, Math.round(srcWidth * scale));
  const h = Math.max(1, Math.round(srcHeight * scale));
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/**
 * Fits an image into width × height keeping its aspect ratio (bilinear, half-pixel centres) and
 * fills the rest with `pad` (RGB bytes): the usual input shape for detection and segmentation.
 */
export function letterbox(
  src: RgbaImage,
  width: number,
  height: number,
  pad: [number, number, number] = [0, 0, 0],
): { image: RgbaImage; rect: LetterboxRect } {
  const rect = letterboxRect(src.width, src.height, width, height);
  const img = createImage(width, height);
  const sx = Math.fround(src.width / rect.width);
  const sy = Math.fround(src.height / rect.height);
  const at = (x: number, y: number, c: number) =>
    src.data[
      (Math.min(src.height - 1, Math.max(0, y)) * src.width +
        Math.min(src.width - 1, Math.max(0, x))) *
        4 +
        c
    ] / 255;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inside =
        x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
      if (!inside) {
        img.data.set([...pad, 255], o);
        continue;
      }
      const fx = (x - rect.x + 0.5) * sx - 0.5;
      const fy = (y - rect.y + 0.5) * sy - 0.5;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const tx = fx - x0;
      const ty = fy - y0;
      for (let c = 0; c < 4; c++) {
        const top = at(x0, y0, c) * (1 - tx) + at(x0 + 1, y0, c) * tx;
        const bottom = at(x0, y0 + 1, c) * (1 - tx) + at(x0 + 1, y0 + 1, c) * tx;
        img.data[o + c] = toByte(top * (1 - ty) + bottom * ty);
      }
    }
  }
  return { image: img, rect };
}

/** A single-channel mask in [0, 1], usually smaller than the image (a model's output). */
export interface Mask {
  width: number;
  height: number;
  data: Float32Array;
}

/** The mask's value under image pixel (x, y) of a width × height image: bilinear upsampling. */
export function sampleMask(
  mask: Mask,
  x: number,
  y: number,
  width: number,
  height: number,
): number {
  const fx = (x + 0.5) * Math.fround(mask.width / width) - 0.5;
  const fy = (y + 0.5) * Math.fround(mask.height / height) - 0.5;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const tx = fx - x0;
  const ty = fy - y0;
  const m = (mx: number, my: number) =>
    mask.data[
      Math.min(mask.height - 1, Math.max(0, my)) * mask.width +
        Math.min(mask.width - 1, Math.max(0, mx))
    ];
  const top = m(x0, y0) * (1 - tx) + m(x0 + 1, y0) * tx;
  const bottom = m(x0, y0 + 1) * (1 - tx) + m(x0 + 1, y0 + 1) * tx;
  return Math.min(1, Math.max(0, top * (1 - ty) + bottom * ty));
}

/** Upsamples a mask to the image size as 8-bit grey (for display and debugging). */
export function upsampleMask(mask: Mask, width: number, height: number): RgbaImage {
  const img = createImage(width, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const v = toByte(sampleMask(mask, x, y, width, height));
      img.data.set([v, v, v, 255], (y * width + x) * 4);
    }
  return img;
}

/** out = background + (foreground − background) × mask, with the mask upsampled bilinearly. */
export function compositeWithMask(
  foreground: RgbaImage,
  background: RgbaImage,
  mask: Mask,
): RgbaImage {
  const { width, height } = foreground;
  const out = createImage(width, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const m = sampleMask(mask, x, y, width, height);
      const i = (y * width + x) * 4;
      for (let c = 0; c < 4; c++) {
        const f = foreground.data[i + c] / 255;
        const b = background.data[i + c] / 255;
        out.data[i + c] = toByte(b + (f - b) * m);
      }
    }
  return out;
}

/** An image of one colour (bytes, alpha included). */
export function fillImage(width: number, height: number, rgba: readonly number[]): RgbaImage {
  const img = createImage(width, height);
  for (let i = 0; i < width * height; i++) img.data.set(rgba, i * 4);
  return img;
}

/** The centred crop of a width × height image with the aspect ratio of `target` (cover fit). */
export function coverCrop(
  width: number,
  height: number,
  target: [number, number],
): { x: number; y: number; width: number; height: number } {
  const aspect = target[0] / target[1];
  if (width / height > aspect) {
    const w = Math.max(1, Math.min(width, Math.round(height * aspect)));
    return { x: Math.floor((width - w) / 2), y: 0, width: w, height };
  }
  const h = Math.max(1, Math.min(height, Math.round(width / aspect)));
  return { x: 0, y: Math.floor((height - h) / 2), width, height: h };
}
