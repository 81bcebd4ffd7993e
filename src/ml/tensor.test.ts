import { describe, expect, it } from 'vitest';
import { createImage } from '../effects/image';
import { fitSize, resizeArea, resizeBilinear } from './resize';
import {
  compositeWithMask,
  coverCrop,
  fillImage,
  imageToTensor,
  letterbox,
  letterboxRect,
  sampleMask,
  tensorToImage,
  type TensorSpec,
} from './tensor';

function gradient(w: number, h: number) {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) img.data.set([x * 7, y * 11, (x + y) * 3, 255], (y * w + x) * 4);
  return img;
}

const imagenet: TensorSpec = {
  layout: 'nchw',
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

describe('ML pre/post-processing on the CPU', () => {
  it('area resize by 2 averages 2×2 blocks', () => {
    const img = createImage(2, 2);
    img.data.set([0, 0, 0, 255, 100, 0, 0, 255, 0, 200, 0, 255, 100, 200, 40, 255]);
    expect(Array.from(resizeArea(img, 1, 1).data)).toEqual([50, 100, 10, 255]);
  });

  it('bilinear resize to the same size is the identity', () => {
    const img = gradient(13, 7);
    expect(resizeBilinear(img, 13, 7).data).toEqual(img.data);
  });

  it('fits sizes without upscaling', () => {
    expect(fitSize(1920, 1080, 320)).toEqual([320, 180]);
    expect(fitSize(100, 50, 320)).toEqual([100, 50]);
  });

  it('NCHW and NHWC tensors hold the same normalized values, and invert back to the pixels', () => {
    const img = gradient(5, 3);
    const nchw = imageToTensor(img, imagenet);
    const nhwc = imageToTensor(img, { ...imagenet, layout: 'nhwc' });
    const n = 15;
    expect(nchw[1 * n + 4]).toBeCloseTo((img.data[4 * 4 + 1] / 255 - 0.456) / 0.224, 6);
    expect(nhwc[4 * 3 + 1]).toBeCloseTo(nchw[1 * n + 4], 6);
    expect(tensorToImage(nchw, 5, 3, imagenet).data).toEqual(img.data);
    expect(tensorToImage(nhwc, 5, 3, { ...imagenet, layout: 'nhwc' }).data).toEqual(img.data);
  });

  it('rejects a tensor of the wrong length', () => {
    expect(() => tensorToImage(new Float32Array(10), 2, 2, imagenet)).toThrow(/12 values, not 10/);
  });

  it('letterboxes a wide image into a square with centred content and padding', () => {
    expect(letterboxRect(200, 100, 64, 64)).toEqual({ x: 0, y: 16, width: 64, height: 32 });
    const { image, rect } = letterbox(gradient(200, 100), 64, 64, [114, 114, 114]);
    expect(Array.from(image.data.slice(0, 4))).toEqual([114, 114, 114, 255]);
    const inside = ((rect.y + 1) * 64 + 1) * 4;
    expect(image.data[inside + 3]).toBe(255);
    expect(image.data[inside]).not.toBe(114);
  });

  it('samples a mask bilinearly and composites with it', () => {
    const mask = { width: 2, height: 1, data: new Float32Array([0, 1]) };
    expect(sampleMask(mask, 0, 0, 4, 1)).toBe(0);
    expect(sampleMask(mask, 3, 0, 4, 1)).toBe(1);
    expect(sampleMask(mask, 1, 0, 4, 1)).toBeCloseTo(0.25);
    const fg = createImage(4, 1);
    fg.data.fill(255);
    const bg = createImage(4, 1);
    const out = compositeWithMask(fg, bg, mask);
    expect(Array.from(out.data.filter((_, i) => i % 4 === 0))).toEqual([0, 64, 191, 255]);
  });
});

describe('backgrounds', () => {
  it('fills an image with one colour', () => {
    const img = fillImage(3, 2, [1, 2, 3, 4]);
    expect(Array.from(img.data)).toEqual(Array(6).fill([1, 2, 3, 4]).flat());
  });

  it('crops the centre with the target’s aspect ratio (cover fit)', () => {
    expect(coverCrop(400, 100, [100, 100])).toEqual({ x: 150, y: 0, width: 100, height: 100 });
    expect(coverCrop(100, 400, [200, 100])).toEqual({ x: 0, y: 175, width: 100, height: 50 });
    expect(coverCrop(160, 90, [1920, 1080])).toEqual({ x: 0, y: 0, width: 160, height: 90 });
    expect(coverCrop(1, 1000, [1000, 1])).toEqual({ x: 0, y: 499, width: 1, height: 1 });
  });
});
