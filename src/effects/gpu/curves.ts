import code from '../../../shaders/curves-table.wgsl?raw';
import { curvesUniforms, type Params } from '../defs/curves';
import { MAX_CURVE_POINTS } from '../tone';
import { toneTableEffect } from './tone-table';

export const curvesGpu = toneTableEffect<Params>(
  'curves',
  { label: 'Triad.curvesTable', code, inputs: 0, uniformWords: 4 + 4 * MAX_CURVE_POINTS * 4 },
  (u, p) => {
    const curves = curvesUniforms(p);
    u.u32(...curves.map((knots) => knots.length));
    for (const knots of curves)
      for (let k = 0; k < MAX_CURVE_POINTS; k++) {
        const knot = knots[k];
        if (knot) u.f32(knot.x, knot.y, knot.m, 0);
        else u.f32(0, 0, 0, 0);
      }
  },
);
