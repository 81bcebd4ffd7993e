import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { createImage, type RgbaImage } from '../../src/core/image';
import { EFFECTS } from '../../src/effects/catalogue';
import { ML_EFFECTS } from '../../src/effects/ml-effects';
import { addStage, EMPTY_CHAIN, setParam, type Chain } from '../../src/effects/chain';
import { sampleCube } from '../../src/effects/lut/cube';
import { packLut } from '../../src/effects/lut/lut';
import { Engine } from '../../src/engine/engine';
import { dawnGpu } from '../../src/gpu/dawn-node';
import { GpuContext } from '../../src/gpu/device';
import { resizeArea } from '../../src/ml/resize';
import { decodePng, encodePng } from '../models/png';

const ROOT = new URL('../../', import.meta.url);
const [W, H] = [192, 128];

/** A warm film-like grade, for the 3D LUT's picture. */
const WARM = packLut(
  sampleCube(17, (r, g, b) => [Math.min(1, r * 1.08 + 0.03), g * 1.02, b * 0.85 + 0.02], 'warm'),
  'warm.cube',
);

/** Parameters that show what an effect does where its defaults would leave the picture alone. */
const SHOWN: Record<string, Record<string, unknown>> = {
  levels: {
    levels: {
      master: { inBlack: 30, inWhite: 215, gamma: 1.25, outBlack: 0, outWhite: 255 },
      r: { inBlack: 0, inWhite: 255, gamma: 1, outBlack: 0, outWhite: 255 },
      g: { inBlack: 0, inWhite: 255, gamma: 1, outBlack: 0, outWhite: 255 },
      b: { inBlack: 0, inWhite: 240, gamma: 1, outBlack: 0, outWhite: 255 },
    },
  },
  curves: {
    curves: {
      master: [
        [0, 0],
        [64, 40],
        [192, 218],
        [255, 255],
      ],
      r: [
        [0, 0],
        [255, 255],
      ],
      g: [
        [0, 0],
        [255, 255],
      ],
      b: [
        [0, 12],
        [255, 235],
      ],
    },
  },
  'lut-3d': { lut: { id: WARM.id, name: 'warm.cube' } },
  'chroma-key': { key: '#b07a4c', tolerance: 12, softness: 20, matte: true },
  'gaussian-blur': { radius: 4 },
  pixelate: { block: 8 },
  posterize: { levels: 4 },
};

function chainOf(effect: string): Chain {
  let chain = addStage(
    EMPTY_CHAIN,
    EFFECTS.find((e) => e.id === effect)!,
  );
  for (const [name, value] of Object.entries(SHOWN[effect] ?? {}))
    chain = setParam(chain, chain.stages[0].id, name, value as never);
  return chain;
}

/** Before and after side by side, 4 px apart, on the panel colour. */
function strip(before: RgbaImage, after: RgbaImage): RgbaImage {
  const gap = 4;
  const out = createImage(W * 2 + gap, H);
  for (let i = 0; i < out.data.length; i += 4) out.data.set([23, 26, 33, 255], i);
  for (let y = 0; y < H; y++) {
    out.data.set(before.data.subarray(y * W * 4, (y + 1) * W * 4), y * out.width * 4);
    out.data.set(after.data.subarray(y * W * 4, (y + 1) * W * 4), (y * out.width + W + gap) * 4);
  }
  return out;
}

/** Writes the pixel effects' pictures and docs/EFFECTS.md; returns how many pictures it wrote. */
export async function writeEffectStrips(): Promise<number> {
  const photo = decodePng(readFileSync(new URL('e2e/fixtures/chelsea.png', ROOT)));
  const source = resizeArea({ ...photo, data: new Uint8ClampedArray(photo.data) }, W, H);
  const entry = dawnGpu();
  const gpu = await GpuContext.create(
    { compatibility: true, gpu: entry },
    () => {},
    () => {},
  );
  const env = { lut: (id: string) => (id === WARM.id ? WARM : undefined) };
  mkdirSync(new URL('docs/effects/', ROOT), { recursive: true });
  const rows: string[] = [];
  try {
    for (const effect of EFFECTS) {
      const engine = new Engine(gpu, env);
      try {
        engine.setSource(source);
        const after = await engine.renderToImage(chainOf(effect.id), { index: 1 });
        const file = `docs/effects/${effect.id}.png`;
        const image = strip(source, after);
        writeFileSync(
          new URL(file, ROOT),
          encodePng({ ...image, data: new Uint8Array(image.data.buffer) }),
        );
        rows.push(
          `| ${effect.name} | ${effect.category} | ${effect.description} | ![${effect.name}](effects/${effect.id}.png) |`,
        );
      } finally {
        engine.destroy();
      }
    }
  } finally {
    gpu.device.destroy();
  }
  const pictured = rows.length;
  for (const effect of ML_EFFECTS)
    rows.push(
      `| ${effect.name} | AI | ${effect.description} | ![${effect.name}](effects/${effect.id}.png) |`,
    );
  const doc = `# Effects

Every effect, before (left) and after (right), written by \`npm run docs:effects\`. Pixel
effects: on \`e2e/fixtures/chelsea.png\` scaled to ${W}×${H}, rendered by the app's own engine on
Dawn in Node (scripts/docs/strips.ts), at each effect's defaults except where those leave the
picture alone or hide what it does (\`SHOWN\` there); chroma key shows its matte. AI effects: on
\`e2e/fixtures/astronaut-256.png\` (a person), rendered in the browser by the test build with
onnxruntime-web on the CPU (scripts/docs/ai-strips.mjs); super-resolution shows the middle quarter
of each side. Your own WGSL effects are written in the app (New effect…).

| effect | kind | what it does | before · after |
| ------ | ---- | ------------ | -------------- |
${rows.join('\n')}
`;
  // Formatted as the repository's own check wants it (lint runs prettier --check).
  const path = new URL('docs/EFFECTS.md', ROOT);
  const options = (await prettier.resolveConfig(path)) ?? {};
  writeFileSync(path, await prettier.format(doc, { ...options, filepath: path.pathname }));
  return pictured;
}
