import { describe, expect, it } from 'vitest';
import {
  applyLevels,
  autoLevels,
  curveKnots,
  evalCurve,
  identityCurves,
  identityLevels,
  levelsMap,
  validateCurves,
  validateLevels,
  type CurvePoint,
} from './tone';

const levels = (x: number, a: Partial<ReturnType<typeof identityLevels>['master']>) =>
  applyLevels(levelsMap({ ...identityLevels().master, ...a }), x) * 255;

describe('Levels map', () => {
  it('is the identity at its defaults', () => {
    for (const v of [0, 1, 77, 128, 254, 255]) expect(levels(v / 255, {})).toBeCloseTo(v, 9);
  });

  it('takes the input black and white to the output black and white, clipping beyond', () => {
    const a = { inBlack: 20, inWhite: 220, outBlack: 10, outWhite: 240 };
    expect(levels(20 / 255, a)).toBeCloseTo(10, 9);
    expect(levels(5 / 255, a)).toBeCloseTo(10, 9);
    expect(levels(220 / 255, a)).toBeCloseTo(240, 9);
    expect(levels(1, a)).toBeCloseTo(240, 9);
    expect(levels(120 / 255, a)).toBeCloseTo(10 + 230 * 0.5, 9);
  });

  it('gamma above 1 lifts the midtones and leaves the ends', () => {
    expect(levels(128 / 255, { gamma: 2 })).toBeCloseTo(255 * Math.sqrt(128 / 255), 9);
    expect(levels(0, { gamma: 2 })).toBe(0);
    expect(levels(1, { gamma: 0.5 })).toBeCloseTo(255, 9);
  });

  it('an output black above the output white inverts', () => {
    expect(levels(0, { outBlack: 255, outWhite: 0 })).toBeCloseTo(255, 9);
    expect(levels(1, { outBlack: 255, outWhite: 0 })).toBeCloseTo(0, 9);
  });
});

describe('monotone curve', () => {
  const curve = (points: CurvePoint[]) => {
    const knots = curveKnots(points);
    return (v: number) => evalCurve(knots, v / 255) * 255;
  };

  it('two points are a straight line, flat beyond its ends', () => {
    const f = curve([
      [50, 0],
      [200, 255],
    ]);
    expect(f(125)).toBeCloseTo(127.5, 9);
    expect(f(10)).toBe(0);
    expect(f(230)).toBe(255);
  });

  it('passes through every point', () => {
    const points: CurvePoint[] = [
      [0, 10],
      [64, 40],
      [128, 180],
      [192, 200],
      [255, 250],
    ];
    const f = curve(points);
    for (const [x, y] of points) expect(f(x)).toBeCloseTo(y, 9);
  });

  it('never overshoots: rising points give a rising curve within their range', () => {
    const f = curve([
      [0, 0],
      [30, 200],
      [60, 210],
      [255, 255],
    ]);
    let last = -1;
    for (let v = 0; v <= 255; v++) {
      const y = f(v);
      expect(y).toBeGreaterThanOrEqual(last - 1e-9);
      expect(y).toBeLessThanOrEqual(255 + 1e-9);
      last = y;
    }
    // Between two equal neighbours' secants the curve stays flat where the data is flat.
    const flat = curve([
      [0, 0],
      [100, 128],
      [160, 128],
      [255, 255],
    ]);
    for (let v = 100; v <= 160; v++) expect(flat(v)).toBeCloseTo(128, 9);
  });

  it('an S curve darkens the shadows and brightens the highlights', () => {
    const f = curve([
      [0, 0],
      [64, 40],
      [192, 215],
      [255, 255],
    ]);
    expect(f(32)).toBeLessThan(32);
    expect(f(224)).toBeGreaterThan(224);
  });
});

describe('validation of untrusted tone values', () => {
  it('keeps a good Levels value and reports nothing', () => {
    const v = identityLevels();
    v.r.inBlack = 12;
    v.master.gamma = 1.4;
    expect(validateLevels(v)).toEqual({ value: v, problems: [] });
  });

  it('clamps Levels to whole levels and gamma to its range, keeping white above black', () => {
    const { value, problems } = validateLevels({
      master: { inBlack: 300, inWhite: 100, gamma: 50 },
      g: 'x',
      b: { outBlack: 'dark' },
    });
    expect(value.master).toEqual({
      inBlack: 254,
      inWhite: 255,
      gamma: 9.99,
      outBlack: 0,
      outWhite: 255,
    });
    expect(value.g).toEqual(identityLevels().g);
    expect(problems.length).toBe(5);
  });

  it('sorts curve points, drops duplicates and bad pairs, and needs two', () => {
    const { value, problems } = validateCurves({
      master: [
        [255, 255],
        [0, 0],
        [100, 90],
        [100, 120],
      ],
      r: [[0, 0]],
      g: [[0, 0], 'x', [255, 255]],
    });
    expect(value.master).toEqual([
      [0, 0],
      [100, 120],
      [255, 255],
    ]);
    expect(value.r).toEqual(identityCurves().r);
    expect(value.g).toEqual(identityCurves().g);
    expect(problems).toEqual([
      'r: a curve needs at least 2 points',
      'g: points must be [input, output] number pairs',
    ]);
  });

  it('keeps at most 16 points a curve', () => {
    const many = Array.from({ length: 20 }, (_, i): CurvePoint => [i * 10, i * 10]);
    const { value, problems } = validateCurves({ b: many });
    expect(value.b.length).toBe(16);
    expect(problems.length).toBe(1);
  });

  it('a value that is not an object becomes the identity, with a problem', () => {
    expect(validateCurves(7).value).toEqual(identityCurves());
    expect(validateLevels(null).problems.length).toBe(1);
  });
});

describe('auto levels', () => {
  it('stretches each channel from its darkest to its brightest 0.1%', () => {
    const hist = (lo: number, hi: number) => {
      const h = new Array(256).fill(0);
      for (let v = lo; v <= hi; v++) h[v] = 100;
      h[0] += 1; // one outlier in 10 000+ is clipped
      return h;
    };
    const v = autoLevels({ r: hist(30, 200), g: hist(10, 250), b: hist(60, 90) });
    expect([v.r.inBlack, v.r.inWhite]).toEqual([30, 200]);
    expect([v.g.inBlack, v.g.inWhite]).toEqual([10, 250]);
    expect([v.b.inBlack, v.b.inWhite]).toEqual([60, 90]);
    expect(v.master).toEqual(identityLevels().master);
  });

  it('leaves a flat channel and an empty histogram alone', () => {
    const flat = new Array(256).fill(0);
    flat[128] = 1000;
    const empty = new Array(256).fill(0);
    const v = autoLevels({ r: flat, g: empty, b: flat });
    expect(v).toEqual(identityLevels());
  });
});
