import { defineEffect } from '../effect';
import { applyChannelTables, channelTables } from '../image';
import { curveKnots, evalCurve, TONE_CHANNELS, type CurvesValue } from '../tone';

const params = { curves: { kind: 'curves', label: 'Curves' } } as const;

export type Params = { curves: CurvesValue };

/** Knots of the four curves as both kernels use them: master, then red, green, blue. */
export function curvesUniforms(p: Params) {
  return TONE_CHANNELS.map((c) => curveKnots(p.curves[c]));
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

export const curves = defineEffect({
  id: 'curves',
  name: 'Curves',
  description:
    'Reshapes tones with smooth curves through points you place, for all channels and per channel, over the histogram.',
  category: 'colour',
  params,
  tolerance: 1,
  cpu: (src, p: Params) => {
    const [master, ...channels] = curvesUniforms(p);
    return applyChannelTables(
      src,
      channelTables((c, x) => evalCurve(channels[c], clamp01(evalCurve(master, x)))),
    );
  },
});
