import { describe, expect, it } from 'vitest';
import { createImage, type RgbaImage } from '../core/image';
import { meanDifference, probeRegion, SOURCE_TOLERANCE } from './export-check';

function filled(width: number, height: number, rgb: [number, number, number]): RgbaImage {
  const image = createImage(width, height);
  for (let i = 0; i < image.data.length; i += 4) image.data.set([...rgb, 255], i);
  return image;
}

describe('probeRegion', () => {
  it('is a strip across the middle on even coordinates, inside the frame', () => {
    expect(probeRegion(1920, 1080)).toEqual({ x: 928, y: 538, width: 64, height: 4 });
    expect(probeRegion(641, 361)).toEqual({ x: 288, y: 178, width: 64, height: 4 });
    // Frames smaller than the strip are probed whole.
    expect(probeRegion(30, 2)).toEqual({ x: 0, y: 0, width: 30, height: 2 });
  });
});

describe('meanDifference', () => {
  it('averages the absolute difference of R, G and B, not alpha', () => {
    const a = filled(4, 2, [100, 100, 100]);
    const b = filled(4, 2, [110, 90, 100]);
    b.data[3] = 0; // alpha is not compared
    expect(meanDifference(a, b)).toBeCloseTo(20 / 3);
    expect(meanDifference(a, a)).toBe(0);
  });

  it('tells a source read as black from a frame whose colour was converted elsewhere', () => {
    const decoded = filled(64, 4, [150, 140, 120]);
    // The GPU's YUV-to-RGB conversion and the CPU's differ by a few levels.
    expect(meanDifference(filled(64, 4, [154, 137, 123]), decoded)).toBeLessThan(SOURCE_TOLERANCE);
    expect(meanDifference(filled(64, 4, [0, 0, 0]), decoded)).toBeGreaterThan(SOURCE_TOLERANCE);
  });

  it('refuses images of different sizes', () => {
    expect(() => meanDifference(createImage(2, 2), createImage(2, 3))).toThrow(
      'cannot be compared',
    );
  });
});
