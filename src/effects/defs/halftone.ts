import { defineEffect, wholeFrame } from '../effect';
import { bilinearAt, createImage, toByte } from '../image';

const params = {
  // From 4 px: a dot then never reaches past its nearest four cells, which each pixel looks at.
  size: { kind: 'number', label: 'Dot size', min: 4, max: 64, step: 1, default: 10, unit: 'px' },
  angle: { kind: 'number', label: 'Angle', min: 0, max: 90, step: 1, default: 45, unit: '°' },
  cmyk: { kind: 'bool', label: 'CMYK (four inks)', default: false },
} as const;

export type Params = { size: number; angle: number; cmyk: boolean };

/**
 * Screen angles of the four inks (the print convention: cyan 15°, magenta 75°, yellow 0°,
 * black 45°), turned by the effect's angle less 45°, so mono (black alone) sits at the angle.
 */
export const INK_ANGLES = [15, 75, 0, 45] as const;

/** Ink amounts of a colour: black alone (mono), or cyan, magenta, yellow and black. */
function inks(rgb: Float64Array, cmyk: boolean, out: Float64Array): void {
  if (!cmyk) {
    out[3] = 1 - (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]);
    return;
  }
  const k = 1 - Math.max(rgb[0], rgb[1], rgb[2]);
  const w = 1 - k;
  for (let c = 0; c < 3; c++) out[c] = w > 1e-6 ? (w - rgb[c]) / w : 0;
  out[3] = k;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** The ink at which round dots touch their four neighbours (their area is then π/4 of a cell). */
const TOUCH = Math.PI / 4;

/**
 * A dot's radius for an ink amount: its area is the ink's share of the cell until the dots touch;
 * past that it grows to reach the cell's corners, with its anti-aliased edge, at full ink (so a
 * solid colour prints solid). A pixel's cover is `clamp(radius − distance + 0.5)`, faded in over
 * the first half pixel of radius (no ink: none).
 */
export function dotRadius(ink: number, size: number): number {
  const i = Math.min(1, Math.max(0, ink));
  if (i <= TOUCH) return size * Math.sqrt(i / Math.PI);
  return size / 2 + ((i - TOUCH) / (1 - TOUCH)) * (size * (Math.SQRT1_2 - 0.5) + 0.5);
}

export const halftone = defineEffect({
  id: 'halftone',
  name: 'Halftone',
  description: 'Prints the picture as dots on a rotated screen: black alone, or four CMYK inks.',
  category: 'stylise',
  params,
  tolerance: 2,
  // A pixel's four nearest dot centres lie within 1.5 cells on each axis of the screen, and each
  // is sampled bilinearly.
  halo: (p) => Math.ceil(1.5 * Math.SQRT2 * p.size) + 2,
  cpu: (src, p: Params, _frame, _env, region = wholeFrame(src.height)) => {
    const dst = createImage(src.width, src.height);
    const rgb = new Float64Array(3);
    const ink = new Float64Array(4);
    const cover = new Float64Array(4);
    const first = p.cmyk ? 0 : 3;
    for (let y = 0; y < src.height; y++) {
      for (let x = 0; x < src.width; x++) {
        const px = x + 0.5;
        const py = y + region.top + 0.5; // in the full frame: rows of a band land on its screen
        for (let c = first; c < 4; c++) {
          const a = ((INK_ANGLES[c] + p.angle - 45) * Math.PI) / 180;
          const [cos, sin] = [Math.cos(a), Math.sin(a)];
          // The pixel in the screen's frame, in cells; the four nearest dot centres.
          const u = (px * cos + py * sin) / p.size - 0.5;
          const v = (-px * sin + py * cos) / p.size - 0.5;
          const [u0, v0] = [Math.floor(u), Math.floor(v)];
          let best = 0;
          for (let j = 0; j < 2; j++) {
            for (let i = 0; i < 2; i++) {
              const cu = (u0 + i + 0.5) * p.size;
              const cv = (v0 + j + 0.5) * p.size;
              // The dot's centre back in the picture, its ink there, and its radius.
              const [sx, sy] = [cu * cos - cv * sin, cu * sin + cv * cos - region.top];
              for (let k = 0; k < 3; k++) rgb[k] = bilinearAt(src, sx, sy, k);
              inks(rgb, p.cmyk, ink);
              const radius = dotRadius(ink[c], p.size);
              const d = Math.hypot(px * cos + py * sin - cu, -px * sin + py * cos - cv);
              best = Math.max(best, clamp01(radius - d + 0.5) * clamp01(2 * radius));
            }
          }
          cover[c] = best;
        }
        const i = (y * src.width + x) * 4;
        const k = 1 - cover[3];
        for (let c = 0; c < 3; c++) dst.data[i + c] = toByte(p.cmyk ? (1 - cover[c]) * k : k);
        dst.data[i + 3] = src.data[i + 3];
      }
    }
    return dst;
  },
});
