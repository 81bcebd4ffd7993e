import type { CurvesValue, LevelsValue } from './tone';

/**
 * Levels and Curves values that move every channel (tests and benchmarks use them: parity,
 * headless, row bands, bench:effects). Not identity anywhere, with a gamma on both sides of 1
 * and an output range that inverts.
 */
export const SAMPLE_LEVELS: LevelsValue = {
  master: { inBlack: 12, inWhite: 235, gamma: 1.3, outBlack: 6, outWhite: 250 },
  r: { inBlack: 0, inWhite: 210, gamma: 0.8, outBlack: 0, outWhite: 255 },
  g: { inBlack: 20, inWhite: 255, gamma: 1, outBlack: 10, outWhite: 245 },
  b: { inBlack: 5, inWhite: 250, gamma: 2.2, outBlack: 240, outWhite: 20 },
};

export const SAMPLE_CURVES: CurvesValue = {
  master: [
    [0, 0],
    [64, 46],
    [128, 132],
    [192, 214],
    [255, 255],
  ],
  r: [
    [0, 20],
    [120, 140],
    [255, 240],
  ],
  g: [
    [30, 0],
    [100, 180],
    [170, 60],
    [230, 255],
  ],
  b: [
    [0, 255],
    [255, 0],
  ],
};
