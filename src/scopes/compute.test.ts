import { describe, expect, it } from 'vitest';
import { createImage } from '../effects/image';
import { LEVELS, VECTOR_SIZE, computeScopes, vectorBin, chroma, TARGETS_75 } from './compute';

function solid(w: number, h: number, rgb: number[]) {
  const img = createImage(w, h);
  for (let i = 0; i < w * h; i++) img.data.set([...rgb, 255], i * 4);
  return img;
}

const sum = (a: Uint32Array) => a.reduce((s, v) => s + v, 0);

describe('scopes', () => {
  it('pure red: every pixel at R 255, G and B 0, luma 54', () => {
    const s = computeScopes(solid(40, 10, [255, 0, 0]));
    expect(s.histogram[255]).toBe(400);
    expect(s.histogram[LEVELS + 0]).toBe(400);
    expect(s.histogram[2 * LEVELS + 0]).toBe(400);
    expect(s.histogram[3 * LEVELS + 54]).toBe(400);
    expect(sum(s.histogram)).toBe(1600);
    // Waveform: every column has all its pixels at level 54.
    for (let col = 0; col < s.columns; col++) expect(s.waveform[54 * s.columns + col]).toBe(10);
    // Parade: the red third at 255, the green and blue thirds at 0.
    expect(s.parade[255 * 3 * s.columns + 0]).toBe(10);
    expect(s.parade[0 * 3 * s.columns + s.columns]).toBe(10);
    // Vectorscope: one bin, up and to the left of centre (Cr = +0.5, Cb < 0).
    const [cb, cr] = chroma(1, 0, 0);
    expect(cr).toBeCloseTo(0.5, 6);
    expect(cb).toBeLessThan(0);
    const [x, y] = vectorBin(cb, cr);
    expect(s.vectorscope[y * VECTOR_SIZE + x]).toBe(400);
    expect(y).toBe(0);
  });

  it('a grey ramp: flat luma histogram, a rising waveform, everything at the vectorscope centre', () => {
    const img = createImage(256, 4);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 256; x++) img.data.set([x, x, x, 255], (y * 256 + x) * 4);
    const s = computeScopes(img);
    for (let level = 0; level < 256; level++) expect(s.histogram[3 * LEVELS + level]).toBe(4);
    for (let col = 0; col < 256; col++) expect(s.waveform[col * s.columns + col]).toBe(4);
    const [cx, cy] = vectorBin(0, 0);
    expect(s.vectorscope[cy * VECTOR_SIZE + cx]).toBe(1024);
  });

  it('folds wide images into at most maxColumns waveform columns', () => {
    const s = computeScopes(solid(1000, 3, [10, 20, 30]), 100);
    expect(s.columns).toBe(100);
    expect(sum(s.waveform)).toBe(3000);
  });

  it('places the 75% targets at 75% of the full-saturation distance', () => {
    for (const t of TARGETS_75) {
      const [cb, cr] = chroma(...t.rgb);
      const [fb, fr] = chroma(...(t.rgb.map((v) => v / 0.75) as [number, number, number]));
      expect(Math.hypot(cb, cr)).toBeCloseTo(0.75 * Math.hypot(fb, fr), 6);
    }
  });
});
