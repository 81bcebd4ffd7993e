import { defineEffect } from '../effect';
import { createImage, toByte } from '../image';
import { parseHexColor } from '../params';

const params = {
  key: { kind: 'color', label: 'Key colour', default: '#00b140' },
  tolerance: {
    kind: 'number',
    label: 'Tolerance',
    min: 0,
    max: 100,
    step: 1,
    default: 25,
    unit: '%',
  },
  // At least 1%: a hard edge would flip pixels whose distance rounds differently on the GPU.
  softness: {
    kind: 'number',
    label: 'Softness',
    min: 1,
    max: 100,
    step: 1,
    default: 10,
    unit: '%',
  },
  spill: {
    kind: 'number',
    label: 'Spill suppression',
    min: 0,
    max: 100,
    step: 1,
    default: 50,
    unit: '%',
  },
  matte: { kind: 'bool', label: 'Show matte', default: false },
} as const;

export type Params = {
  key: string;
  tolerance: number;
  softness: number;
  spill: number;
  matte: boolean;
};

/** Rec. 709 luma and the scales of its colour differences (Cb = (B − Y) / KB, Cr = (R − Y) / KR). */
const [WR, WG, WB] = [0.2126, 0.7152, 0.0722];
const KB = 1.8556;
const KR = 1.5748;
/** Tolerance and softness at 100% span this much chroma distance (Cb and Cr lie in ±0.5). */
const SPAN = 0.4;

/** The key's chroma and the thresholds, as both kernels use them (the GPU's uniforms). */
export function chromaKeyUniforms(p: Params) {
  const [r, g, b] = parseHexColor(p.key).map((v) => v / 255);
  const y = WR * r + WG * g + WB * b;
  const cb = (b - y) / KB;
  const cr = (r - y) / KR;
  const len = Math.hypot(cb, cr);
  const lo = (p.tolerance / 100) * SPAN;
  return {
    cb,
    cr,
    // The key's chroma direction (none for a grey key: nothing to suppress).
    dirB: len > 1e-6 ? cb / len : 0,
    dirR: len > 1e-6 ? cr / len : 0,
    lo,
    hi: lo + (p.softness / 100) * SPAN,
    spill: p.spill / 100,
    matte: p.matte ? 1 : 0,
  };
}

function smoothstep(lo: number, hi: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
  return t * t * (3 - 2 * t);
}

export const chromaKey = defineEffect({
  id: 'chroma-key',
  name: 'Chroma key',
  description:
    'Makes a colour (a green or blue screen) transparent, with soft edges and its spill taken out of what stays.',
  category: 'key',
  params,
  tolerance: 2,
  cpu: (src, p: Params) => {
    const u = chromaKeyUniforms(p);
    const dst = createImage(src.width, src.height);
    const s = src.data;
    const d = dst.data;
    for (let i = 0; i < s.length; i += 4) {
      const [r, g, b] = [s[i] / 255, s[i + 1] / 255, s[i + 2] / 255];
      const y = WR * r + WG * g + WB * b;
      let cb = (b - y) / KB;
      let cr = (r - y) / KR;
      const alpha = smoothstep(u.lo, u.hi, Math.hypot(cb - u.cb, cr - u.cr));
      if (u.matte) {
        d[i] = d[i + 1] = d[i + 2] = toByte(alpha);
        d[i + 3] = 255;
        continue;
      }
      const along = Math.max(0, cb * u.dirB + cr * u.dirR) * u.spill;
      cb -= along * u.dirB;
      cr -= along * u.dirR;
      const r2 = y + KR * cr;
      const b2 = y + KB * cb;
      d[i] = toByte(r2);
      d[i + 1] = toByte((y - WR * r2 - WB * b2) / WG);
      d[i + 2] = toByte(b2);
      d[i + 3] = toByte((s[i + 3] / 255) * alpha);
    }
    return dst;
  },
});
