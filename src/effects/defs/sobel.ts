import { defineEffect } from '../effect';
import { LUMA, createImage, loadClamped, toByte, type RgbaImage } from '../image';

const params = {
  strength: { kind: 'number', label: 'Strength', min: 0, max: 8, step: 0.1, default: 1 },
  invert: { kind: 'bool', label: 'Dark lines on white', default: false },
} as const;

export type Params = { strength: number; invert: boolean };

function lumaAt(img: RgbaImage, x: number, y: number): number {
  return (
    LUMA[0] * loadClamped(img, x, y, 0) +
    LUMA[1] * loadClamped(img, x, y, 1) +
    LUMA[2] * loadClamped(img, x, y, 2)
  );
}

export const sobel = defineEffect({
  id: 'sobel',
  name: 'Edges (Sobel)',
  description: 'Outlines: the strength of the brightness gradient at each pixel.',
  category: 'detail',
  params,
  tolerance: 2,
  halo: () => 1,
  cpu: (src, p: Params) => {
    const dst = createImage(src.width, src.height);
    for (let y = 0; y < src.height; y++) {
      for (let x = 0; x < src.width; x++) {
        const l = (dx: number, dy: number) => lumaAt(src, x + dx, y + dy);
        const gx = l(1, -1) + 2 * l(1, 0) + l(1, 1) - (l(-1, -1) + 2 * l(-1, 0) + l(-1, 1));
        const gy = l(-1, 1) + 2 * l(0, 1) + l(1, 1) - (l(-1, -1) + 2 * l(0, -1) + l(1, -1));
        let e = Math.min(1, Math.max(0, Math.sqrt(gx * gx + gy * gy) * 0.25 * p.strength));
        if (p.invert) e = 1 - e;
        const i = (y * src.width + x) * 4;
        dst.data[i] = dst.data[i + 1] = dst.data[i + 2] = toByte(e);
        dst.data[i + 3] = src.data[i + 3];
      }
    }
    return dst;
  },
});
