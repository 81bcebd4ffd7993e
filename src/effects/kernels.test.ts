import { describe, expect, it } from 'vitest';
import { findEffect } from './catalogue';
import type { EffectEnv } from './effect';
import { sampleCube } from './lut/cube';
import { packLut, type Lut } from './lut/lut';
import { createImage, type RgbaImage } from './image';
import { defaultParams, type ParamValues } from './params';

const noLuts: EffectEnv = { lut: () => undefined };

function solid(w: number, h: number, rgba: number[]): RgbaImage {
  const img = createImage(w, h);
  for (let i = 0; i < w * h; i++) img.data.set(rgba, i * 4);
  return img;
}

function run(id: string, img: RgbaImage, params: ParamValues = {}, frame = 0, env = noLuts) {
  const e = findEffect(id)!;
  return e.cpu(img, { ...defaultParams(e.params), ...params }, { index: frame }, env);
}

const px = (img: RgbaImage, x: number, y: number) =>
  Array.from(img.data.slice((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe('CPU reference kernels', () => {
  it('invert flips colour and keeps alpha', () => {
    expect(px(run('invert', solid(2, 2, [10, 200, 255, 77])), 1, 1)).toEqual([245, 55, 0, 77]);
  });

  it('colour adjust with default parameters is the identity', () => {
    const img = solid(3, 3, [12, 130, 250, 255]);
    expect(px(run('colour-adjust', img), 1, 1)).toEqual([12, 130, 250, 255]);
  });

  it('one stop of exposure doubles linear values', () => {
    expect(
      px(run('colour-adjust', solid(1, 1, [50, 100, 20, 255]), { exposure: 1 }), 0, 0),
    ).toEqual([100, 200, 40, 255]);
  });

  it('saturation −100% gives luma on every channel', () => {
    const out = px(run('colour-adjust', solid(1, 1, [255, 0, 0, 255]), { saturation: -100 }), 0, 0);
    expect(out).toEqual([54, 54, 54, 255]);
  });

  it('grayscale uses Rec. 709 luma', () => {
    expect(px(run('grayscale', solid(1, 1, [0, 255, 0, 255])), 0, 0)).toEqual([182, 182, 182, 255]);
  });

  it('posterize to 2 levels thresholds at half', () => {
    expect(px(run('posterize', solid(1, 1, [127, 128, 255, 255]), { levels: 2 }), 0, 0)).toEqual([
      0, 255, 255, 255,
    ]);
  });

  it('blur leaves a flat image flat and radius 0 unchanged', () => {
    const img = solid(9, 9, [90, 10, 200, 255]);
    expect(px(run('gaussian-blur', img, { radius: 4 }), 4, 4)).toEqual([90, 10, 200, 255]);
    expect(run('gaussian-blur', img, { radius: 0 }).data).toEqual(img.data);
  });

  it('sobel finds a vertical edge and nothing on flat areas', () => {
    const img = solid(8, 4, [0, 0, 0, 255]);
    for (let y = 0; y < 4; y++)
      for (let x = 4; x < 8; x++) img.data.set([255, 255, 255, 255], (y * 8 + x) * 4);
    const out = run('sobel', img);
    expect(px(out, 1, 1)[0]).toBe(0);
    expect(px(out, 4, 1)[0]).toBe(255);
  });

  it('pixelate averages each block', () => {
    const img = createImage(2, 1);
    img.data.set([0, 0, 0, 255, 255, 255, 255, 255]);
    expect(px(run('pixelate', img, { block: 2 }), 0, 0)).toEqual([128, 128, 128, 255]);
  });

  it('film grain is the same for the same seed and frame, and differs across frames', () => {
    const img = solid(16, 16, [128, 128, 128, 255]);
    const a = run('film-grain', img, { seed: 7 }, 3);
    expect(run('film-grain', img, { seed: 7 }, 3).data).toEqual(a.data);
    expect(run('film-grain', img, { seed: 7 }, 4).data).not.toEqual(a.data);
    expect(run('film-grain', img, { seed: 8 }, 3).data).not.toEqual(a.data);
  });

  it('the 3D LUT applies its table and is the identity without one', () => {
    const img = solid(1, 1, [255, 0, 0, 255]);
    const swap: Lut = packLut(
      sampleCube(5, (r, g, b) => [b, g, r]),
      'swap',
    );
    const env = { lut: (id: string) => (id === swap.id ? swap : undefined) };
    expect(px(run('lut-3d', img, { lut: { id: swap.id, name: 'swap' } }, 0, env), 0, 0)).toEqual([
      0, 0, 255, 255,
    ]);
    expect(px(run('lut-3d', img), 0, 0)).toEqual([255, 0, 0, 255]);
  });

  it('vignette leaves the centre and darkens the corners', () => {
    const img = solid(101, 101, [200, 200, 200, 255]);
    const out = run('vignette', img, { amount: 100 });
    expect(px(out, 50, 50)[0]).toBe(200);
    expect(px(out, 0, 0)[0]).toBeLessThan(100);
  });
});
