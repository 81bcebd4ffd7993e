// npm run bench:effects — each effect alone and a six-effect chain on a 1920×1080 photo, timed
// from submit to GPU completion per frame, after warm-up. Writes bench-results/effects.json.
import { openApp, percentile, report } from './harness.mjs';

const WIDTH = 1920;
const HEIGHT = 1080;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const FRAMES = Number(process.env.BENCH_FRAMES ?? 30);
/** Only cases whose name matches this regular expression (all by default). */
const ONLY = new RegExp(process.env.BENCH_CASES ?? '.');

/** Levels on every channel, and an S curve: as costly as these effects get (both are per pixel). */
const LEVEL = { inBlack: 12, inWhite: 235, gamma: 1.3, outBlack: 6, outWhite: 250 };
const LEVELS = { master: LEVEL, r: LEVEL, g: LEVEL, b: LEVEL };
const S = [
  [0, 0],
  [64, 46],
  [128, 132],
  [192, 214],
  [255, 255],
];
const S_CURVE = { master: S, r: S, g: S, b: S };

function lutCube(n = 33) {
  const rows = [`TITLE "bench"`, `LUT_3D_SIZE ${n}`];
  for (let b = 0; b < n; b++)
    for (let g = 0; g < n; g++)
      for (let r = 0; r < n; r++)
        rows.push(
          `${(g / (n - 1)).toFixed(5)} ${(b / (n - 1)).toFixed(5)} ${(r / (n - 1)).toFixed(5)}`,
        );
  return rows.join('\n');
}

const app = await openApp();
try {
  const { page } = app;
  // The custom WGSL effect "New effect…" starts from (a glow around a point, per pixel).
  const CUSTOM_TEMPLATE = await page.evaluate(() => window.__triad.customTemplate());
  await page.evaluate(
    (text) => window.__triad.openFile('bench.cube', Array.from(new TextEncoder().encode(text))),
    lutCube(),
  );
  const lut = (await page.evaluate(() => window.__triad.state())).chain.stages.at(-1).params.lut;
  if (!lut) throw new Error('the benchmark LUT did not load');

  const cases = [
    [
      'colour-adjust',
      [{ effect: 'colour-adjust', params: { contrast: 20, saturation: 30, hue: 15, gamma: 1.2 } }],
    ],
    ['grayscale', [{ effect: 'grayscale' }]],
    ['invert', [{ effect: 'invert' }]],
    ['lut-3d (33³)', [{ effect: 'lut-3d', params: { lut } }]],
    ['posterize', [{ effect: 'posterize' }]],
    ['gaussian-blur r=8', [{ effect: 'gaussian-blur', params: { radius: 8 } }]],
    ['gaussian-blur r=32', [{ effect: 'gaussian-blur', params: { radius: 32 } }]],
    ['unsharp-mask', [{ effect: 'unsharp-mask' }]],
    ['sobel', [{ effect: 'sobel' }]],
    ['pixelate', [{ effect: 'pixelate' }]],
    ['vignette', [{ effect: 'vignette' }]],
    ['chromatic-aberration', [{ effect: 'chromatic-aberration' }]],
    ['film-grain', [{ effect: 'film-grain' }]],
    ['chroma-key', [{ effect: 'chroma-key' }]],
    ['halftone (mono)', [{ effect: 'halftone' }]],
    ['halftone (CMYK)', [{ effect: 'halftone', params: { cmyk: true } }]],
    ['tilt-shift', [{ effect: 'tilt-shift' }]],
    ['denoise r=3', [{ effect: 'denoise' }]],
    ['bloom', [{ effect: 'bloom' }]],
    ['levels', [{ effect: 'levels', params: { levels: LEVELS } }]],
    ['curves (S, 5 points)', [{ effect: 'curves', params: { curves: S_CURVE } }]],
    ['custom (the template)', [{ effect: 'custom', code: CUSTOM_TEMPLATE }]],
    [
      'chain of 6',
      [
        { effect: 'colour-adjust', params: { contrast: 15, saturation: 20 } },
        { effect: 'gaussian-blur', params: { radius: 4 } },
        { effect: 'unsharp-mask' },
        { effect: 'vignette' },
        { effect: 'chromatic-aberration' },
        { effect: 'film-grain' },
      ],
    ],
  ];

  const results = [];
  for (const [name, stages] of cases.filter(([name]) => ONLY.test(name))) {
    const run = await page.evaluate((req) => window.__triad.bench(req), {
      imageUrl: '/__fixtures/washington.jpg',
      size: [WIDTH, HEIGHT],
      stages,
      warmup: WARMUP,
      frames: FRAMES,
    });
    results.push({
      case: name,
      metric: 'frame time',
      unit: 'ms',
      median: percentile(run.ms, 50),
      p95: percentile(run.ms, 95),
      n: run.ms.length,
      submitsPerFrame: run.submitsPerFrame,
      readbacksPerFrame: run.readbacksPerFrame,
      width: WIDTH,
      height: HEIGHT,
    });
    process.stdout.write(`${name}: ${percentile(run.ms, 50).toFixed(1)} ms\n`);
  }
  report('effects', app.environment, results);
} finally {
  await app.close();
}
