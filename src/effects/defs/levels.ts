import { defineEffect } from '../effect';
import { applyChannelTables, channelTables } from '../image';
import { applyLevels, levelsMap, TONE_CHANNELS, type LevelsValue } from '../tone';

const params = { levels: { kind: 'levels', label: 'Levels' } } as const;

export type Params = { levels: LevelsValue };

/** The four channel maps as both kernels use them: master, then red, green, blue. */
export function levelsUniforms(p: Params) {
  return TONE_CHANNELS.map((c) => levelsMap(p.levels[c]));
}

export const levels = defineEffect({
  id: 'levels',
  name: 'Levels',
  description:
    'Sets the black point, white point and midtone gamma of the input and output, for all channels and per channel, with Auto from the histogram.',
  category: 'colour',
  params,
  tolerance: 1,
  cpu: (src, p: Params) => {
    const [master, ...channels] = levelsUniforms(p);
    return applyChannelTables(
      src,
      channelTables((c, x) => applyLevels(channels[c], applyLevels(master, x))),
    );
  },
});
