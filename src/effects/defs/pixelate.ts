import { defineEffect } from '../effect';
import { createImage } from '../image';

const params = {
  block: {
    kind: 'number',
    label: 'Block size',
    min: 1,
    max: 128,
    step: 1,
    default: 12,
    unit: 'px',
  },
} as const;

export const pixelate = defineEffect({
  id: 'pixelate',
  name: 'Pixelate',
  description: 'Mosaic of square blocks, each the average of the pixels it covers.',
  category: 'stylise',
  params,
  tolerance: 2,
  // Blocks are aligned to the frame's top-left corner, so bands start on block boundaries.
  bandAlign: (p) => p.block,
  cpu: (src, p) => {
    const { width: w, height: h } = src;
    const n = p.block;
    const dst = createImage(w, h);
    const sum = [0, 0, 0, 0];
    for (let by = 0; by < h; by += n) {
      for (let bx = 0; bx < w; bx += n) {
        const ex = Math.min(bx + n, w);
        const ey = Math.min(by + n, h);
        sum.fill(0);
        for (let y = by; y < ey; y++)
          for (let x = bx; x < ex; x++)
            for (let c = 0; c < 4; c++) sum[c] += src.data[(y * w + x) * 4 + c];
        const count = (ex - bx) * (ey - by);
        for (let y = by; y < ey; y++)
          for (let x = bx; x < ex; x++)
            for (let c = 0; c < 4; c++) dst.data[(y * w + x) * 4 + c] = Math.round(sum[c] / count);
      }
    }
    return dst;
  },
});
