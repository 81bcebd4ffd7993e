import { describe, expect, it } from 'vitest';
import { findEffect } from './catalogue';
import type { EffectEnv } from './effect';
import { sampleCube } from './lut/cube';
import { packLut, type Lut } from './lut/lut';
import { createImage, type RgbaImage } from './image';
import { defaultParams, type ParamValues } from './params';
import { identityCurves, identityLevels } from './tone';

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

  it('levels with defaults is the identity; a channel map applies after the master', () => {
    const img = solid(2, 1, [12, 130, 250, 90]);
    expect(px(run('levels', img), 0, 0)).toEqual([12, 130, 250, 90]);
    const v = identityLevels();
    v.master = { inBlack: 0, inWhite: 255, gamma: 1, outBlack: 255, outWhite: 0 }; // invert all
    v.r = { inBlack: 100, inWhite: 200, gamma: 1, outBlack: 0, outWhite: 255 };
    // red: 12 → 243 (master) → clipped white by its own map; green, blue: inverted; alpha kept.
    expect(px(run('levels', img, { levels: v }), 1, 0)).toEqual([255, 125, 5, 90]);
  });

  it('curves with defaults is the identity; a green curve changes green only', () => {
    const img = solid(1, 1, [64, 64, 64, 255]);
    expect(px(run('curves', img), 0, 0)).toEqual([64, 64, 64, 255]);
    const c = identityCurves();
    c.g = [
      [0, 0],
      [64, 128],
      [255, 255],
    ];
    expect(px(run('curves', img, { curves: c }), 0, 0)).toEqual([64, 128, 64, 255]);
  });

  it('chroma key makes the key colour transparent and keeps a far colour opaque', () => {
    const green = px(run('chroma-key', solid(1, 1, [0, 177, 64, 255])), 0, 0);
    expect(green[3]).toBe(0);
    const skin = px(run('chroma-key', solid(1, 1, [224, 172, 140, 255])), 0, 0);
    expect(skin[3]).toBe(255);
    // Half-transparent input stays at most that opaque.
    expect(px(run('chroma-key', solid(1, 1, [224, 172, 140, 128])), 0, 0)[3]).toBe(128);
  });

  it('chroma key shows the matte as grey: keyed black, kept white, all opaque', () => {
    const matte = { matte: true };
    expect(px(run('chroma-key', solid(1, 1, [0, 177, 64, 255]), matte), 0, 0)).toEqual([
      0, 0, 0, 255,
    ]);
    expect(px(run('chroma-key', solid(1, 1, [224, 172, 140, 255]), matte), 0, 0)).toEqual([
      255, 255, 255, 255,
    ]);
  });

  it('chroma key takes green spill out of what stays, keeping its luma', () => {
    const spilled = [150, 190, 150, 255];
    const none = px(run('chroma-key', solid(1, 1, spilled), { spill: 0 }), 0, 0);
    const full = px(run('chroma-key', solid(1, 1, spilled), { spill: 100 }), 0, 0);
    expect(none.slice(0, 3)).toEqual([150, 190, 150]);
    expect(full[1]).toBeLessThan(full[0]); // no longer greener than red
    const luma = (c: number[]) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    expect(Math.abs(luma(full) - luma(spilled))).toBeLessThan(1);
    // A pixel with no green in it is left alone.
    expect(px(run('chroma-key', solid(1, 1, [200, 40, 90, 255]), { spill: 100 }), 0, 0)).toEqual([
      200, 40, 90, 255,
    ]);
  });

  it('halftone prints white as paper, black as solid ink, and grey as dots', () => {
    for (const cmyk of [false, true]) {
      const white = run('halftone', solid(24, 24, [255, 255, 255, 255]), { size: 8, cmyk });
      expect(new Set(white.data)).toEqual(new Set([255]));
      const black = run('halftone', solid(24, 24, [0, 0, 0, 255]), { size: 8, cmyk });
      expect(Math.max(...black.data.filter((_, i) => i % 4 !== 3))).toBe(0);
    }
    const grey = run('halftone', solid(40, 40, [128, 128, 128, 255]), { size: 10, angle: 0 });
    // Dot centres are inked, the points between dots are paper; about half the area is ink.
    expect(px(grey, 15, 15)[0]).toBe(0); // a dot's centre (cells every 10 px, at 5, 15, …)
    expect(px(grey, 10, 10)[0]).toBe(255); // the corner between four dots
    let ink = 0;
    for (let i = 0; i < grey.data.length; i += 4) ink += 1 - grey.data[i] / 255;
    const share = ink / (grey.width * grey.height);
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.65);
  });

  it('halftone in CMYK prints a pure red with magenta and yellow only', () => {
    const red = run('halftone', solid(40, 40, [255, 0, 0, 255]), { size: 6, cmyk: true });
    // No cyan or black: red stays full wherever there is paper or ink.
    for (let i = 0; i < red.data.length; i += 4) expect(red.data[i]).toBe(255);
  });

  it('tilt-shift keeps its band sharp and blurs fully past the transition', () => {
    const img = createImage(40, 100);
    for (let i = 0; i < img.data.length; i += 4) {
      const x = (i / 4) % 40;
      img.data.set([x % 4 < 2 ? 250 : 10, 120, x % 3 ? 30 : 200, 255], i);
    }
    const p = { position: 50, width: 10, transition: 20, angle: 0, blur: 6 };
    const out = run('tilt-shift', img, p);
    const full = run('gaussian-blur', img, { radius: 6 });
    const row = (im: RgbaImage, y: number) => Array.from(im.data.slice(y * 160, y * 160 + 160));
    expect(row(out, 50)).toEqual(row(img, 50)); // the band's centre
    expect(row(out, 53)).toEqual(row(img, 53)); // within its half-width (5 rows)
    expect(row(out, 95)).toEqual(row(full, 95)); // 45 rows off: past 5 + 20
    expect(row(out, 2)).toEqual(row(full, 2));
    // Between: neither sharp nor fully blurred.
    expect(row(out, 65)).not.toEqual(row(img, 65));
    expect(row(out, 65)).not.toEqual(row(full, 65));
  });

  it('denoise smooths noise in a flat area and keeps a hard edge', () => {
    const img = createImage(20, 10);
    let seed = 7;
    for (let i = 0; i < img.data.length; i += 4) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const x = (i / 4) % 20;
      const base = x < 10 ? 40 : 210; // an edge between columns 9 and 10
      const v = base + ((seed >>> 16) % 13) - 6; // ±6 levels of noise
      img.data.set([v, v, v, 255], i);
    }
    const out = run('denoise', img, { strength: 60, radius: 3 });
    const spread = (im: RgbaImage, x0: number) => {
      const vs: number[] = [];
      for (let y = 2; y < 8; y++) for (let x = x0; x < x0 + 5; x++) vs.push(px(im, x, y)[0]);
      return Math.max(...vs) - Math.min(...vs);
    };
    expect(spread(out, 2)).toBeLessThan(spread(img, 2) / 2); // the noise is smoothed
    expect(px(out, 9, 5)[0]).toBeLessThan(60); // the edge stays hard: no grey ramp
    expect(px(out, 10, 5)[0]).toBeGreaterThan(190);
    // Strength 0: the picture as it was.
    expect(run('denoise', img, { strength: 0 }).data).toEqual(img.data);
  });

  it('bloom: a bright spot glows into the dark around it, fading with distance; dark stays dark', () => {
    const img = solid(64, 64, [20, 20, 20, 255]);
    for (let y = 30; y < 34; y++)
      for (let x = 30; x < 34; x++) img.data.set([255, 240, 200, 255], (y * 64 + x) * 4);
    const out = run('bloom', img, { threshold: 50, radius: 16, intensity: 200 });
    const at = (x: number) => px(out, x, 32)[0];
    expect(at(36)).toBeGreaterThan(20); // glow next to the spot
    expect(at(36)).toBeGreaterThan(at(42));
    expect(at(42)).toBeGreaterThanOrEqual(at(60));
    expect(at(60)).toBeLessThanOrEqual(22); // far away: (almost) as it was
    // Below the threshold nothing glows; intensity 0 changes nothing.
    expect(run('bloom', solid(32, 32, [90, 90, 90, 255])).data).toEqual(
      solid(32, 32, [90, 90, 90, 255]).data,
    );
    expect(run('bloom', img, { intensity: 0 }).data).toEqual(img.data);
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
