import { expect, test } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { api } from './support/api';
import { SAMPLE_CURVES, SAMPLE_LEVELS } from '../src/effects/tone-samples';

/**
 * Every effect's WGSL kernel against its CPU reference, on real photos, pixels read back from the
 * GPU: within 1/255 per channel for per-pixel colour operations and 2/255 for the others.
 */
const CASES: { name: string; stages: { effect: string; params?: Record<string, unknown> }[] }[] = [
  {
    name: 'colour adjust (every control moved)',
    stages: [
      {
        effect: 'colour-adjust',
        params: {
          exposure: 0.4,
          contrast: 25,
          saturation: -30,
          hue: 40,
          gamma: 1.4,
          temperature: 30,
          tint: -20,
        },
      },
    ],
  },
  {
    name: 'colour adjust (saturation up, hue back)',
    stages: [{ effect: 'colour-adjust', params: { saturation: 60, hue: -120, gamma: 0.6 } }],
  },
  { name: 'grayscale', stages: [{ effect: 'grayscale', params: { amount: 70 } }] },
  { name: 'invert', stages: [{ effect: 'invert' }] },
  { name: 'posterize', stages: [{ effect: 'posterize', params: { levels: 5 } }] },
  { name: 'gaussian blur r=8', stages: [{ effect: 'gaussian-blur', params: { radius: 8 } }] },
  { name: 'gaussian blur r=64', stages: [{ effect: 'gaussian-blur', params: { radius: 64 } }] },
  { name: 'gaussian blur r=0', stages: [{ effect: 'gaussian-blur', params: { radius: 0 } }] },
  {
    name: 'unsharp mask',
    stages: [{ effect: 'unsharp-mask', params: { amount: 180, radius: 4, threshold: 3 } }],
  },
  { name: 'sobel edges', stages: [{ effect: 'sobel', params: { strength: 2.5 } }] },
  { name: 'sobel edges inverted', stages: [{ effect: 'sobel', params: { invert: true } }] },
  { name: 'pixelate', stages: [{ effect: 'pixelate', params: { block: 13 } }] },
  {
    name: 'vignette',
    stages: [{ effect: 'vignette', params: { amount: 80, midpoint: 40, feather: 70 } }],
  },
  {
    name: 'chromatic aberration',
    stages: [{ effect: 'chromatic-aberration', params: { amount: 7.5 } }],
  },
  {
    name: 'film grain (colour)',
    stages: [{ effect: 'film-grain', params: { amount: 60, size: 2, seed: 42, mono: false } }],
  },
  {
    name: 'film grain (mono)',
    stages: [{ effect: 'film-grain', params: { amount: 100, seed: 9 } }],
  },
  // Keys that occur in the photos (the cat's fur, the sky), so edges and spill are exercised.
  {
    name: 'chroma key (soft edge, full spill)',
    stages: [
      {
        effect: 'chroma-key',
        params: { key: '#8a7a66', tolerance: 8, softness: 20, spill: 100 },
      },
    ],
  },
  {
    name: 'chroma key matte',
    stages: [
      {
        effect: 'chroma-key',
        params: { key: '#6f93c4', tolerance: 10, softness: 15, matte: true },
      },
    ],
  },
  { name: 'halftone (mono)', stages: [{ effect: 'halftone', params: { size: 7, angle: 30 } }] },
  {
    name: 'halftone (CMYK)',
    stages: [{ effect: 'halftone', params: { size: 9, angle: 45, cmyk: true } }],
  },
  {
    name: 'tilt-shift (tilted band)',
    stages: [
      {
        effect: 'tilt-shift',
        params: { position: 40, width: 10, transition: 30, angle: 20, blur: 14 },
      },
    ],
  },
  { name: 'denoise', stages: [{ effect: 'denoise', params: { strength: 60, radius: 4 } }] },
  {
    name: 'levels (every channel)',
    stages: [{ effect: 'levels', params: { levels: SAMPLE_LEVELS } }],
  },
  {
    name: 'curves (every channel)',
    stages: [{ effect: 'curves', params: { curves: SAMPLE_CURVES } }],
  },
  {
    name: 'bloom',
    stages: [{ effect: 'bloom', params: { threshold: 45, radius: 24, intensity: 150 } }],
  },
];

const IMAGES = [
  { url: '/__fixtures/chelsea.png' },
  { url: '/__fixtures/washington.jpg', size: [320, 180] as [number, number] },
];

test.describe('GPU kernels match their CPU references', () => {
  let app: TriadPage;

  test.beforeEach(async ({ page }) => {
    app = new TriadPage(page);
    await app.goto();
    expect(await app.status()).toBe('ready');
  });

  test('runs on the adapter this project asked for', async ({ page }) => {
    const { adapter } = await api(page).state();
    const expected = test.info().project.metadata.adapter;
    if (expected === 'lavapipe') expect(adapter!.featureLevel).toBe('compatibility');
    if (expected === 'swiftshader') {
      expect(adapter!.featureLevel).toBe('core');
      expect(adapter!.isFallbackAdapter).toBe(true);
    }
  });

  for (const c of CASES) {
    test(c.name, async ({ page }) => {
      for (const image of IMAGES) {
        const result = await api(page).parity({
          imageUrl: image.url,
          size: image.size,
          stages: c.stages,
          frame: 7,
        });
        expect(result.width, image.url).toBeGreaterThan(100);
        expect(result.gpuErrors, 'GPU validation errors').toBe(0);
        expect(
          result.over,
          `${image.url}: first pixel over tolerance ${JSON.stringify(result.firstOver)}`,
        ).toBe(0);
        expect(result.maxDiff).toBeLessThanOrEqual(result.tolerance);
      }
    });
  }

  test('3D LUT loaded from a .cube file', async ({ page }) => {
    // A 17³ "teal and orange" style grade with a non-unit domain, written as .cube text.
    const cube = (() => {
      const n = 17;
      const rows = [
        `TITLE "teal orange"`,
        `LUT_3D_SIZE ${n}`,
        'DOMAIN_MIN 0 0 0',
        'DOMAIN_MAX 1 1 1',
      ];
      for (let b = 0; b < n; b++)
        for (let g = 0; g < n; g++)
          for (let r = 0; r < n; r++) {
            const [x, y, z] = [r / (n - 1), g / (n - 1), b / (n - 1)];
            const l = 0.3 * x + 0.6 * y + 0.1 * z;
            rows.push(
              [
                Math.min(1, l + (x - l) * 1.3 + 0.05),
                y * 0.95,
                Math.max(0, z * 0.8 + (1 - l) * 0.1),
              ]
                .map((v) => v.toFixed(6))
                .join(' '),
            );
          }
      return rows.join('\n');
    })();
    await app.dropFiles([{ name: 'teal-orange.cube', bytes: Buffer.from(cube) }]);
    await expect(app.stage(0)).toHaveAttribute('data-effect', 'lut-3d');
    const { lut } = (await app.chain()).stages[0].params as { lut: { id: string } };
    for (const intensity of [100, 35]) {
      const result = await api(page).parity({
        imageUrl: '/__fixtures/chelsea.png',
        stages: [{ effect: 'lut-3d', params: { lut: { id: lut.id, name: 'x' }, intensity } }],
      });
      expect(result.over, JSON.stringify(result.firstOver)).toBe(0);
      expect(result.tolerance).toBe(1);
    }
  });

  test('a six-effect chain', async ({ page }) => {
    const result = await api(page).parity({
      imageUrl: '/__fixtures/chelsea.png',
      stages: [
        { effect: 'colour-adjust', params: { contrast: 20, saturation: 25 } },
        { effect: 'gaussian-blur', params: { radius: 3 } },
        { effect: 'unsharp-mask', params: { amount: 120 } },
        { effect: 'vignette' },
        { effect: 'chromatic-aberration', params: { amount: 3 } },
        { effect: 'film-grain', params: { amount: 20 } },
      ],
    });
    // Each stage rounds to 8 bits exactly as its CPU reference does, so differences do not add up
    // across stages: the whole chain holds the single-kernel tolerance.
    expect(result.gpuErrors).toBe(0);
    expect(result.over, JSON.stringify(result.firstOver)).toBe(0);
    expect(result.maxDiff).toBeLessThanOrEqual(2);
  });
});
