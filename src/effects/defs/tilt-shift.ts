import { defineEffect, wholeFrame } from '../effect';
import { createImage, toByte } from '../image';
import { MAX_BLUR_RADIUS, blurCpu } from './blur';

const params = {
  position: {
    kind: 'number',
    label: 'Focus position',
    min: 0,
    max: 100,
    step: 1,
    default: 55,
    unit: '%',
  },
  width: {
    kind: 'number',
    label: 'Focus width',
    min: 0,
    max: 100,
    step: 1,
    default: 12,
    unit: '%',
  },
  transition: {
    kind: 'number',
    label: 'Transition',
    min: 1,
    max: 100,
    step: 1,
    default: 25,
    unit: '%',
  },
  angle: { kind: 'number', label: 'Angle', min: -90, max: 90, step: 1, default: 0, unit: '°' },
  blur: {
    kind: 'number',
    label: 'Blur',
    min: 2,
    max: MAX_BLUR_RADIUS,
    step: 1,
    default: 12,
    unit: 'px',
  },
} as const;

export type Params = {
  position: number;
  width: number;
  transition: number;
  angle: number;
  blur: number;
};

/** The two blurs the effect blends between: half its radius, and all of it. */
export function tiltShiftRadii(p: Params): [number, number] {
  return [Math.max(1, Math.round(p.blur / 2)), p.blur];
}

/** The focus band's line and edges, as both kernels use them (the GPU's uniforms). */
export function tiltShiftBand(p: Params, width: number, fullHeight: number) {
  const a = (p.angle * Math.PI) / 180;
  return {
    // The band's centre line passes through (cx, cy); distances are along (nx, ny), in heights.
    cx: width / 2,
    cy: (p.position / 100) * fullHeight,
    nx: -Math.sin(a) / fullHeight,
    ny: Math.cos(a) / fullHeight,
    lo: p.width / 100 / 2,
    hi: p.width / 100 / 2 + p.transition / 100,
  };
}

/**
 * How blurred a pixel is, 0 (in focus) to 1 (the whole blur): a smoothstep across the transition,
 * by its distance from the band's centre line.
 */
export function tiltShiftAmount(band: ReturnType<typeof tiltShiftBand>, x: number, y: number) {
  const d = Math.abs((x + 0.5 - band.cx) * band.nx + (y + 0.5 - band.cy) * band.ny);
  const t = Math.min(1, Math.max(0, (d - band.lo) / (band.hi - band.lo)));
  return t * t * (3 - 2 * t);
}

export const tiltShift = defineEffect({
  id: 'tilt-shift',
  name: 'Tilt-shift',
  description:
    'Keeps a band in focus and blurs away from it, like a miniature photographed close up.',
  category: 'lens',
  params,
  tolerance: 2,
  halo: (p) => p.blur,
  cpu: (src, p: Params, _frame, _env, region = wholeFrame(src.height)) => {
    const [r1, r2] = tiltShiftRadii(p);
    const half = blurCpu(src, r1);
    const full = blurCpu(src, r2);
    const band = tiltShiftBand(p, src.width, region.fullHeight);
    const dst = createImage(src.width, src.height);
    for (let y = 0; y < src.height; y++) {
      for (let x = 0; x < src.width; x++) {
        const m = 2 * tiltShiftAmount(band, x, y + region.top);
        const i = (y * src.width + x) * 4;
        for (let c = 0; c < 3; c++) {
          const [s, h, f] = [src.data[i + c], half.data[i + c], full.data[i + c]];
          const v = m <= 1 ? s + (h - s) * m : h + (f - h) * (m - 1);
          dst.data[i + c] = toByte(v / 255);
        }
        dst.data[i + 3] = src.data[i + 3];
      }
    }
    return dst;
  },
});
