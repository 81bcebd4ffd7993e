import { defineEffect } from '../effect';
import { LUMA, mapRgb } from '../image';

const params = {
  exposure: {
    kind: 'number',
    label: 'Exposure',
    min: -4,
    max: 4,
    step: 0.05,
    default: 0,
    unit: 'EV',
  },
  contrast: {
    kind: 'number',
    label: 'Contrast',
    min: -100,
    max: 100,
    step: 1,
    default: 0,
    unit: '%',
  },
  saturation: {
    kind: 'number',
    label: 'Saturation',
    min: -100,
    max: 100,
    step: 1,
    default: 0,
    unit: '%',
  },
  hue: { kind: 'number', label: 'Hue', min: -180, max: 180, step: 1, default: 0, unit: '°' },
  gamma: { kind: 'number', label: 'Gamma', min: 0.2, max: 5, step: 0.01, default: 1 },
  temperature: { kind: 'number', label: 'Temperature', min: -100, max: 100, step: 1, default: 0 },
  tint: { kind: 'number', label: 'Tint', min: -100, max: 100, step: 1, default: 0 },
} as const;

export type ColourAdjustParams = { [K in keyof typeof params]: number };

export interface ResolvedColourAdjust {
  gain: [number, number, number];
  contrast: number;
  /** Row-major 3×3: hue rotation, then saturation. */
  matrix: number[];
  invGamma: number;
}

/**
 * Turns user-facing parameters into the few numbers both kernels apply, so the CPU reference and
 * the shader do exactly the same arithmetic.
 */
export function resolveColourAdjust(p: ColourAdjustParams): ResolvedColourAdjust {
  const ev = 2 ** p.exposure;
  const t = p.temperature / 100;
  const tint = p.tint / 100;
  const gain: [number, number, number] = [
    ev * (1 + 0.2 * t),
    ev * (1 - 0.2 * tint),
    ev * (1 - 0.2 * t),
  ];
  // Hue rotation about the grey axis (the matrix CSS filters use for hue-rotate).
  const a = (p.hue * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const hue = [
    0.213 + cos * 0.787 - sin * 0.213,
    0.715 - cos * 0.715 - sin * 0.715,
    0.072 - cos * 0.072 + sin * 0.928,
    0.213 - cos * 0.213 + sin * 0.143,
    0.715 + cos * 0.285 + sin * 0.14,
    0.072 - cos * 0.072 - sin * 0.283,
    0.213 - cos * 0.213 - sin * 0.787,
    0.715 - cos * 0.715 + sin * 0.715,
    0.072 + cos * 0.928 + sin * 0.072,
  ];
  // Saturation: s·I + (1 − s)·(luma in every row).
  const s = 1 + p.saturation / 100;
  const sat = [0, 1, 2].flatMap((row) =>
    [0, 1, 2].map((col) => (row === col ? s : 0) + (1 - s) * LUMA[col]),
  );
  const matrix: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let k = 0; k < 3; k++) v += sat[r * 3 + k] * hue[k * 3 + c];
      matrix.push(v);
    }
  }
  return { gain, contrast: 1 + p.contrast / 100, matrix, invGamma: 1 / p.gamma };
}

export const colourAdjust = defineEffect({
  id: 'colour-adjust',
  name: 'Colour adjust',
  description: 'Exposure, contrast, saturation, hue, gamma, temperature and tint.',
  category: 'colour',
  params,
  tolerance: 1,
  cpu: (src, p) => {
    const { gain, contrast, matrix: m, invGamma } = resolveColourAdjust(p);
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    return mapRgb(src, (r, g, b, out) => {
      const cr = (r * gain[0] - 0.5) * contrast + 0.5;
      const cg = (g * gain[1] - 0.5) * contrast + 0.5;
      const cb = (b * gain[2] - 0.5) * contrast + 0.5;
      out[0] = clamp(m[0] * cr + m[1] * cg + m[2] * cb) ** invGamma;
      out[1] = clamp(m[3] * cr + m[4] * cg + m[5] * cb) ** invGamma;
      out[2] = clamp(m[6] * cr + m[7] * cg + m[8] * cb) ** invGamma;
    });
  },
});
