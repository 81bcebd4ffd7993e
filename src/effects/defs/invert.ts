import { defineEffect } from '../effect';
import { mapRgb } from '../image';

export const invert = defineEffect({
  id: 'invert',
  name: 'Invert',
  description: 'Negative image: each colour channel becomes its opposite.',
  category: 'colour',
  params: {},
  tolerance: 1,
  cpu: (src) =>
    mapRgb(src, (r, g, b, out) => {
      out[0] = 1 - r;
      out[1] = 1 - g;
      out[2] = 1 - b;
    }),
});
