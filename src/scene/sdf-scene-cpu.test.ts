import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../effects/image';
import { DEFAULT_CAMERA, FOCAL_LENGTH, orbitBasis } from './orbit';
import { SCENE_PARAM_WORDS, SCENE_PERIOD, renderSceneCpu, sceneParams } from './sdf-scene-cpu';

const W = 64;
const H = 36;

/** Mean absolute difference per RGB channel, in 8-bit levels. */
function meanDiff(a: RgbaImage, b: RgbaImage): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 4)
    for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i + c] - b.data[i + c]);
  return sum / ((a.data.length / 4) * 3);
}

/** Mean RGB of rows [y0, y1). */
function rowsMean(img: RgbaImage, y0: number, y1: number): number[] {
  const sum = [0, 0, 0];
  for (let y = y0; y < y1; y++)
    for (let x = 0; x < img.width; x++)
      for (let c = 0; c < 3; c++) sum[c] += img.data[(y * img.width + x) * 4 + c];
  return sum.map((s) => s / ((y1 - y0) * img.width));
}

describe('sceneParams', () => {
  it('lays out the kernel uniforms: eye, time, forward, focal, right, 0, up, 0', () => {
    const p = sceneParams(1.25, DEFAULT_CAMERA);
    const { eye, forward, right, up } = orbitBasis(DEFAULT_CAMERA);
    expect(p.length).toBe(SCENE_PARAM_WORDS);
    const f = Math.fround;
    expect(Array.from(p)).toEqual(
      [...eye, 1.25, ...forward, FOCAL_LENGTH, ...right, 0, ...up, 0].map(f),
    );
  });

  it('wraps time into one period', () => {
    expect(sceneParams(SCENE_PERIOD * 1000 + 2.5, DEFAULT_CAMERA)[3]).toBeCloseTo(2.5, 3);
    expect(sceneParams(-1, DEFAULT_CAMERA)[3]).toBeCloseTo(SCENE_PERIOD - 1, 5);
    expect(sceneParams(NaN, DEFAULT_CAMERA)[3]).toBe(0);
  });
});

describe('renderSceneCpu', () => {
  const base = renderSceneCpu(W, H, 1.5, DEFAULT_CAMERA);

  it('is deterministic and opaque', () => {
    expect(renderSceneCpu(W, H, 1.5, DEFAULT_CAMERA).data).toEqual(base.data);
    for (let i = 3; i < base.data.length; i += 4) expect(base.data[i]).toBe(255);
  });

  it('has a blue sky in the top rows, brighter toward the horizon', () => {
    const top = rowsMean(base, 0, 2);
    const lower = rowsMean(base, 6, 8);
    expect(top[2]).toBeGreaterThan(top[0] + 25); // blue
    expect(top[2]).toBeGreaterThan(180);
    expect(lower[0]).toBeGreaterThan(top[0]); // paler toward the horizon
  });

  it('shows the checkered ground, grey and contrasted, in the bottom rows', () => {
    const y = H - 1;
    const levels: number[] = [];
    for (let x = 0; x < W; x++) {
      const [r, g, b] = base.data.slice((y * W + x) * 4, (y * W + x) * 4 + 3);
      expect(Math.max(r, g, b) - Math.min(r, g, b)).toBeLessThan(40); // grey, not sky or objects
      levels.push(g);
    }
    expect(Math.max(...levels) - Math.min(...levels)).toBeGreaterThan(80); // dark and light squares
  });

  it('shows the coloured objects in the middle', () => {
    let red = 0;
    let blue = 0;
    for (let i = 0; i < base.data.length; i += 4) {
      const [r, g, b] = base.data.slice(i, i + 3);
      if (r > g + 60 && r > b + 60) red++;
      if (b > r + 60 && b > g + 20) blue++;
    }
    expect(red).toBeGreaterThan(10); // the sphere
    expect(blue).toBeGreaterThan(10); // the box (the sky is paler than this)
  });

  it('changes with time, and repeats after one period', () => {
    expect(meanDiff(base, renderSceneCpu(W, H, 2.5, DEFAULT_CAMERA))).toBeGreaterThan(1);
    expect(meanDiff(base, renderSceneCpu(W, H, 1.5 + SCENE_PERIOD, DEFAULT_CAMERA))).toBeLessThan(
      0.05,
    );
  });

  it('changes with the camera', () => {
    for (const camera of [
      { ...DEFAULT_CAMERA, yaw: DEFAULT_CAMERA.yaw + 0.3 },
      { ...DEFAULT_CAMERA, pitch: DEFAULT_CAMERA.pitch + 0.2 },
      { ...DEFAULT_CAMERA, distance: DEFAULT_CAMERA.distance + 1 },
    ]) {
      expect(meanDiff(base, renderSceneCpu(W, H, 1.5, camera))).toBeGreaterThan(3);
    }
  });

  it('renders at any size, odd ones included', () => {
    const img = renderSceneCpu(7, 5, 0, DEFAULT_CAMERA);
    expect([img.width, img.height, img.data.length]).toEqual([7, 5, 7 * 5 * 4]);
  });
});
