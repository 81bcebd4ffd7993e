import { describe, expect, it } from 'vitest';
import { EFFECTS } from '../effects/catalogue';
import { sampleCube } from '../effects/lut/cube';
import { packLut } from '../effects/lut/lut';
import { createImage, type RgbaImage } from '../effects/image';
import { defaultParams, type ParamValues } from '../effects/params';
import { bandInput, effectAlign, effectHalo, placeBand, planBands, runBand } from './bands';
import { SAMPLE_CURVES, SAMPLE_LEVELS } from '../effects/tone-samples';

function noise(width: number, height: number, seed = 1): RgbaImage {
  const img = createImage(width, height);
  let s = seed;
  for (let i = 0; i < img.data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    img.data[i] = i % 4 === 3 ? 255 : (s >>> 16) & 255;
  }
  return img;
}

const lut = packLut(
  sampleCube(9, (r, g, b) => [g, b, r]),
  'rotate',
);
const env = { lut: (id: string) => (id === lut.id ? lut : undefined) };

/** Non-default parameters that exercise each effect's neighbourhood and position dependence. */
const PARAMS: Record<string, ParamValues> = {
  'gaussian-blur': { radius: 7 },
  'unsharp-mask': { radius: 5, amount: 150, threshold: 2 },
  pixelate: { block: 9 },
  'chromatic-aberration': { amount: 6.5 },
  'film-grain': { size: 3, mono: false },
  vignette: { amount: 90, midpoint: 30 },
  'lut-3d': { lut: { id: lut.id, name: 'rotate' } },
  'colour-adjust': { hue: 30, saturation: 20 },
  'chroma-key': { key: '#807060', tolerance: 5, softness: 30, spill: 80 },
  halftone: { size: 6, angle: 30, cmyk: true },
  'tilt-shift': { position: 40, width: 5, transition: 30, angle: 25, blur: 5 },
  denoise: { strength: 70, radius: 4 },
  bloom: { threshold: 40, radius: 16, intensity: 150 },
  levels: { levels: SAMPLE_LEVELS },
  curves: { curves: SAMPLE_CURVES },
};

describe('row bands', () => {
  it('cover every row exactly once, starting on the alignment', () => {
    for (const [h, n, align] of [
      [100, 3, 1],
      [7, 16, 1],
      [300, 4, 9],
      [1, 2, 1],
    ]) {
      const bands = planBands(h, n, 5, align);
      expect(bands[0].top).toBe(0);
      expect(bands.at(-1)!.bottom).toBe(h);
      for (let i = 1; i < bands.length; i++) expect(bands[i].top).toBe(bands[i - 1].bottom);
      for (const b of bands.slice(0, -1)) expect(b.bottom % align).toBe(0);
      expect(bands.length).toBeLessThanOrEqual(n);
    }
  });

  it('clip halos at the frame edges', () => {
    const bands = planBands(90, 3, 10);
    expect(bands.map((b) => [b.haloTop, b.haloBottom])).toEqual([
      [0, 10],
      [10, 10],
      [10, 0],
    ]);
  });

  for (const effect of EFFECTS) {
    it(`${effect.id}: banded result equals the whole-frame reference exactly`, () => {
      const image = noise(61, 97, effect.id.length);
      const params = { ...defaultParams(effect.params), ...PARAMS[effect.id] };
      const frame = { index: 5 };
      const whole = effect.cpu(image, params, frame, env);
      for (const count of [2, 3, 7]) {
        const out = createImage(image.width, image.height);
        const bands = planBands(
          image.height,
          count,
          effectHalo(effect, params),
          effectAlign(effect, params),
        );
        for (const band of bands) {
          placeBand(
            out,
            band,
            runBand(effect, bandInput(image, band), band, image.height, params, frame, env),
          );
        }
        expect(out.data).toEqual(whole.data);
      }
    });
  }
});
