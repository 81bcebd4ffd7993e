// The engine without a browser: a real GPUDevice from Dawn (the `webgpu` package's dawn.node) in
// Node, on Mesa's llvmpipe through EGL surfaceless and OpenGL ES (docs/ARCHITECTURE.md, "Who may
// import whom": nothing under src/engine, src/gpu or src/effects needs the DOM). Pixels are read
// back and checked against the CPU reference kernels, as the browser's parity tests do.
// The Dawn module first: it installs the WebGPU globals the app's modules use.
import { dawnGpu } from '../gpu/dawn-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCustomStage, addStage, setParam, type Chain, EMPTY_CHAIN } from '../effects/chain';
import { EFFECTS, findEntry } from '../effects/catalogue';
import type { EffectEnv } from '../effects/effect';
import { createImage, type RgbaImage } from '../core/image';
import { packLut, type Lut } from '../effects/lut/lut';
import { parseCube } from '../effects/lut/cube';
import { GpuContext } from '../gpu/device';
import { diffImages, runChainOnCpu } from './cpu-chain';
import { Engine } from './engine';
import { SAMPLE_CURVES, SAMPLE_LEVELS } from '../effects/tone-samples';

/** A 3×3×3 LUT that swaps red and blue (not an identity: the test would pass without it). */
const SWAP: Lut = packLut(
  parseCube(
    [
      'LUT_3D_SIZE 3',
      ...[0, 0.5, 1].flatMap((b) =>
        [0, 0.5, 1].flatMap((g) => [0, 0.5, 1].map((r) => `${b} ${g} ${r}`)),
      ),
    ].join('\n'),
  ),
  'swap',
);
const env: EffectEnv = { lut: (id) => (id === SWAP.id ? SWAP : undefined) };

/** A deterministic test picture: gradients, hard edges and noise, with some transparency. */
function picture(width: number, height: number): RgbaImage {
  const image = createImage(width, height);
  let seed = 7;
  const noise = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const edge = (x >> 3) % 2 === (y >> 3) % 2 ? 60 : 0;
      image.data[i] = Math.min(255, (x * 255) / width + edge);
      image.data[i + 1] = Math.min(255, (y * 255) / height + (noise() >> 2));
      image.data[i + 2] = noise();
      image.data[i + 3] = x < 4 ? 128 : 255;
    }
  return image;
}

function chainOf(effect: string, params: Record<string, unknown> = {}): Chain {
  let chain = addStage(EMPTY_CHAIN, findEntry(effect)!);
  for (const [name, value] of Object.entries(params))
    chain = setParam(chain, chain.stages[0].id, name, value as never);
  return chain;
}

/** Parameters where an effect's defaults leave the picture as it is. */
const PARAMS: Record<string, Record<string, unknown>> = {
  'colour-adjust': { saturation: 40, hue: 30, gamma: 1.4, temperature: 20 },
  'lut-3d': { lut: { id: SWAP.id, name: SWAP.name } },
  pixelate: { block: 6 },
  'chroma-key': { key: '#807060', tolerance: 5, softness: 30, spill: 80 },
  halftone: { size: 6, angle: 30, cmyk: true },
  'tilt-shift': { position: 40, width: 5, transition: 30, angle: 25, blur: 5 },
  denoise: { strength: 70, radius: 4 },
  bloom: { threshold: 40, radius: 16, intensity: 150 },
  levels: { levels: SAMPLE_LEVELS },
  curves: { curves: SAMPLE_CURVES },
};

const entry = dawnGpu();
let gpu: GpuContext;
const lost: string[] = [];

beforeAll(async () => {
  gpu = await GpuContext.create(
    { compatibility: true, gpu: entry },
    () => {},
    (reason) => {
      lost.push(reason);
    },
  );
});

afterAll(() => {
  gpu?.device.destroy();
});

describe('the engine on Dawn in Node (no browser, no DOM)', () => {
  const source = picture(96, 64);

  for (const effect of EFFECTS) {
    it(`${effect.name}: the GPU stage matches the CPU reference`, async () => {
      const engine = new Engine(gpu, env);
      try {
        engine.setSource(source);
        const chain = chainOf(effect.id, PARAMS[effect.id]);
        const frame = { index: 3 };
        const gpuOut = await engine.renderToImage(chain, frame);
        const cpuOut = runChainOnCpu(chain, await engine.readSource(), frame, env);
        const diff = diffImages(gpuOut, cpuOut, effect.tolerance);
        expect(diff.over, JSON.stringify(diff.firstOver)).toBe(0);
        // Not a pass-through: the effect changed the picture.
        expect(diffImages(gpuOut, source, 0).over).toBeGreaterThan(0);
      } finally {
        engine.destroy();
      }
    });
  }

  it('a custom WGSL effect compiles off the frame path, then renders what its code says', async () => {
    const engine = new Engine(gpu, env);
    try {
      engine.setSource(source);
      const invert = `/*{ "name": "Invert" }*/
fn effect(colour: vec4f, at: vec2f, size: vec2f) -> vec4f {
  return vec4f(1.0 - colour.rgb, colour.a);
}`;
      const chain = addCustomStage(EMPTY_CHAIN, invert);
      // Until its kernel is built the stage passes its input through; then it inverts.
      let out = await engine.renderToImage(chain, { index: 0 });
      for (let i = 0; i < 100 && diffImages(out, source, 0).over === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        out = await engine.renderToImage(chain, { index: 0 });
      }
      const expected = runChainOnCpu(
        chainOf('invert'),
        await engine.readSource(),
        { index: 0 },
        env,
      );
      expect(diffImages(out, expected, 1).over).toBe(0);
    } finally {
      engine.destroy();
    }
  });

  it('a custom effect whose code fails passes its input through and says where it failed', async () => {
    const engine = new Engine(gpu, env);
    try {
      engine.setSource(source);
      const broken = `/*{ "name": "Broken" }*/
fn effect(colour: vec4f, at: vec2f, size: vec2f) -> vec4f {
  return colour * undefinedThing;
}`;
      const chain = addCustomStage(EMPTY_CHAIN, broken);
      const presenter = { encode: () => {} } as never;
      const view = { zoom: 1, centre: [0, 0], split: null } as never;
      let stats = await engine.render(chain, { index: 0 }, presenter, view);
      for (let i = 0; i < 100 && !stats.ran[0]?.skipped; i++) {
        await new Promise((r) => setTimeout(r, 20));
        stats = await engine.render(chain, { index: 0 }, presenter, view);
      }
      expect(stats.ran[0]).toMatchObject({ skipped: true });
      expect(stats.ran[0].reason).toMatch(/^its code does not build \(line 3: .*undefinedThing/);
      expect(diffImages(await engine.renderToImage(chain, { index: 0 }), source, 0).over).toBe(0);
    } finally {
      engine.destroy();
    }
  });

  it('two frames in flight: each frame is its own, both right', async () => {
    const engine = new Engine(gpu, env);
    engine.inFlightLimit = () => 2;
    try {
      engine.setSource(source);
      const chain = addStage(chainOf('film-grain', { amount: 80 }), findEntry('vignette')!);
      const [a, b] = await Promise.all([
        engine.renderToImage(chain, { index: 1 }),
        engine.renderToImage(chain, { index: 2 }),
      ]);
      const input = await engine.readSource();
      for (const [out, index] of [
        [a, 1],
        [b, 2],
      ] as const) {
        const diff = diffImages(out, runChainOnCpu(chain, input, { index }, env), 1);
        expect(diff.over, `frame ${index}: ${JSON.stringify(diff.firstOver)}`).toBe(0);
      }
      // Grain is seeded by the frame index: two different frames, not one frame twice.
      expect(diffImages(a, b, 0).over).toBeGreaterThan(0);
    } finally {
      engine.destroy();
    }
  });

  it('after a device loss, a new device renders the same picture', async () => {
    const chain = chainOf('chromatic-aberration', { amount: 4 });
    const before = await (async () => {
      const engine = new Engine(gpu, env);
      engine.setSource(source);
      return engine.renderToImage(chain, { index: 0 });
    })();
    gpu.device.destroy();
    await expect.poll(() => gpu.isLost).toBe(true);
    expect(lost).toEqual(['destroyed']);
    gpu = await GpuContext.create(
      { compatibility: true, gpu: entry },
      () => {},
      () => {},
    );
    const engine = new Engine(gpu, env);
    try {
      engine.setSource(source);
      const after = await engine.renderToImage(chain, { index: 0 });
      expect(diffImages(after, before, 0).over).toBe(0);
    } finally {
      engine.destroy();
    }
  });
});
