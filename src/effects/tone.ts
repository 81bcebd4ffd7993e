/**
 * Tone mappings shared by Levels and Curves: their values (one adjustment for all channels and
 * one per channel), validation of untrusted values, the per-value maps both kernels evaluate, and
 * "auto" levels from a histogram. Values are in 8-bit levels (0–255) so they read as the UI shows
 * them; the kernels work in [0, 1].
 */

export const TONE_CHANNELS = ['master', 'r', 'g', 'b'] as const;
export type ToneChannel = (typeof TONE_CHANNELS)[number];

export interface LevelsAdjust {
  inBlack: number;
  inWhite: number;
  /** Midtone gamma: > 1 brightens the midtones, < 1 darkens them. */
  gamma: number;
  outBlack: number;
  outWhite: number;
}
export type LevelsValue = Record<ToneChannel, LevelsAdjust>;

/** A curve's control point: input level → output level. */
export type CurvePoint = [number, number];
export type CurvesValue = Record<ToneChannel, CurvePoint[]>;

export const MAX_CURVE_POINTS = 16;
export const GAMMA_RANGE = [0.1, 9.99] as const;

export function identityLevels(): LevelsValue {
  const one = (): LevelsAdjust => ({
    inBlack: 0,
    inWhite: 255,
    gamma: 1,
    outBlack: 0,
    outWhite: 255,
  });
  return { master: one(), r: one(), g: one(), b: one() };
}

export function identityCurves(): CurvesValue {
  const one = (): CurvePoint[] => [
    [0, 0],
    [255, 255],
  ];
  return { master: one(), r: one(), g: one(), b: one() };
}

const clampLevel = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * A usable Levels value from anything (a link, storage, the UI), with what was wrong. Levels are
 * whole 8-bit levels, the input white stays above the input black, gamma in 0.1–9.99.
 */
export function validateLevels(raw: unknown): { value: LevelsValue; problems: string[] } {
  const value = identityLevels();
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null) return { value, problems: ['not a Levels value'] };
  for (const channel of TONE_CHANNELS) {
    const given = (raw as Record<string, unknown>)[channel];
    if (given === undefined) continue;
    if (typeof given !== 'object' || given === null) {
      problems.push(`${channel}: not a Levels adjustment`);
      continue;
    }
    const out = value[channel];
    for (const key of Object.keys(out) as (keyof LevelsAdjust)[]) {
      const v = (given as Record<string, unknown>)[key];
      if (v === undefined) continue;
      if (!isNumber(v)) problems.push(`${channel}.${key} must be a number`);
      else if (key === 'gamma') {
        out.gamma = Math.round(Math.min(GAMMA_RANGE[1], Math.max(GAMMA_RANGE[0], v)) * 100) / 100;
        if (out.gamma !== v) problems.push(`${channel}.gamma ${v} is outside 0.1…9.99`);
      } else {
        out[key] = clampLevel(v);
        if (out[key] !== v) problems.push(`${channel}.${key} ${v} is not a level 0…255`);
      }
    }
    if (out.inWhite <= out.inBlack) {
      problems.push(`${channel}: input white must be above input black`);
      out.inBlack = Math.min(out.inBlack, 254);
      out.inWhite = out.inBlack + 1;
    }
  }
  return { value, problems };
}

/**
 * A usable Curves value: per channel 2–16 points with levels 0–255, sorted by input, one point
 * per input level (a later duplicate wins).
 */
export function validateCurves(raw: unknown): { value: CurvesValue; problems: string[] } {
  const value = identityCurves();
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null) return { value, problems: ['not a Curves value'] };
  for (const channel of TONE_CHANNELS) {
    const given = (raw as Record<string, unknown>)[channel];
    if (given === undefined) continue;
    const points = Array.isArray(given)
      ? given.filter(
          (p): p is CurvePoint => Array.isArray(p) && p.length === 2 && p.every(isNumber),
        )
      : [];
    if (!Array.isArray(given) || points.length !== given.length)
      problems.push(`${channel}: points must be [input, output] number pairs`);
    const byInput = new Map<number, number>();
    for (const [x, y] of points) {
      if (clampLevel(x) !== x || clampLevel(y) !== y)
        problems.push(`${channel}: point (${x}, ${y}) is not on levels 0…255`);
      byInput.set(clampLevel(x), clampLevel(y));
    }
    const sorted = [...byInput].sort((a, b) => a[0] - b[0]);
    if (sorted.length < 2) {
      problems.push(`${channel}: a curve needs at least 2 points`);
      continue;
    }
    if (sorted.length > MAX_CURVE_POINTS) {
      problems.push(`${channel}: at most ${MAX_CURVE_POINTS} points; kept the first ones`);
      sorted.length = MAX_CURVE_POINTS;
    }
    value[channel] = sorted;
  }
  return { value, problems };
}

/** One channel's Levels as the kernels use it, in [0, 1] units. */
export interface LevelsMap {
  inBlack: number;
  inRange: number;
  invGamma: number;
  outBlack: number;
  outRange: number;
}

export function levelsMap(a: LevelsAdjust): LevelsMap {
  return {
    inBlack: a.inBlack / 255,
    inRange: (a.inWhite - a.inBlack) / 255,
    invGamma: 1 / a.gamma,
    outBlack: a.outBlack / 255,
    outRange: (a.outWhite - a.outBlack) / 255,
  };
}

/** Levels on one value in [0, 1]: the same arithmetic as shaders/levels-table.wgsl. */
export function applyLevels(m: LevelsMap, x: number): number {
  const t = Math.min(1, Math.max(0, (x - m.inBlack) / m.inRange));
  return m.outBlack + m.outRange * (t > 0 ? t ** m.invGamma : 0);
}

/** A curve's points in [0, 1] with the tangent at each (a monotone cubic Hermite spline). */
export interface CurveKnot {
  x: number;
  y: number;
  /** dy/dx at the point. */
  m: number;
}

/**
 * Knots of the monotone spline through `points` (Steffen's method: each tangent is limited by the
 * secants on either side, so the curve never overshoots its points and is monotone wherever they
 * are). Ends take the secant of their segment.
 */
export function curveKnots(points: readonly CurvePoint[]): CurveKnot[] {
  const xs = points.map((p) => p[0] / 255);
  const ys = points.map((p) => p[1] / 255);
  const n = xs.length;
  const h = (k: number) => xs[k + 1] - xs[k];
  const d = (k: number) => (ys[k + 1] - ys[k]) / h(k);
  return xs.map((x, k) => {
    let m: number;
    if (k === 0) m = d(0);
    else if (k === n - 1) m = d(n - 2);
    else {
      const [d0, d1] = [d(k - 1), d(k)];
      const p = (d0 * h(k) + d1 * h(k - 1)) / (h(k - 1) + h(k));
      m = (Math.sign(d0) + Math.sign(d1)) * Math.min(Math.abs(d0), Math.abs(d1), 0.5 * Math.abs(p));
    }
    return { x, y: ys[k], m };
  });
}

/** The curve at `x` in [0, 1] (flat beyond its end points): the same as shaders/curves-table.wgsl. */
export function evalCurve(knots: readonly CurveKnot[], x: number): number {
  const first = knots[0];
  const last = knots[knots.length - 1];
  if (x <= first.x) return first.y;
  if (x >= last.x) return last.y;
  let k = 0;
  for (let i = 1; i < knots.length - 1; i++) if (x >= knots[i].x) k = i;
  const [p0, p1] = [knots[k], knots[k + 1]];
  const h = p1.x - p0.x;
  const t = (x - p0.x) / h;
  const t2 = t * t;
  const t3 = t2 * t;
  return (
    (2 * t3 - 3 * t2 + 1) * p0.y +
    (t3 - 2 * t2 + t) * h * p0.m +
    (-2 * t3 + 3 * t2) * p1.y +
    (t3 - t2) * h * p1.m
  );
}

/** 256 counts per colour channel (src/scopes' histogram rows 0–2). */
export type RgbHistogram = Record<'r' | 'g' | 'b', ArrayLike<number>>;

/**
 * "Auto" Levels: per colour channel, the input black and white where `clip` of the pixels lie
 * beyond them (the darkest and brightest 0.1% by default), so each channel spans the full range.
 * A channel with no spread (a flat colour) is left as it is.
 */
export function autoLevels(histogram: RgbHistogram, clip = 0.001): LevelsValue {
  const value = identityLevels();
  for (const channel of ['r', 'g', 'b'] as const) {
    const counts = histogram[channel];
    let total = 0;
    for (let i = 0; i < 256; i++) total += counts[i];
    if (total === 0) continue;
    const limit = total * clip;
    let lo = 0;
    for (let seen = counts[0]; lo < 255 && seen <= limit; seen += counts[++lo]);
    let hi = 255;
    for (let seen = counts[255]; hi > 0 && seen <= limit; seen += counts[--hi]);
    if (hi > lo) Object.assign(value[channel], { inBlack: lo, inWhite: hi });
  }
  return value;
}
