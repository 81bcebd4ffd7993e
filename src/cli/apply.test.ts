// `applyChain` in this process (Dawn in Node), where a test can take the GPU device away
// mid-batch as a driver reset would.
import '../gpu/dawn-node'; // first: the WebGPU globals the engine's modules use
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { chainFromStages, encodeChainForUrl } from '../effects/chain';
import { diffImages, runChainOnCpu } from '../engine/cpu-chain';
import type { GpuContext } from '../gpu/device';
import { applyChain, type ApplyReporter } from './apply';

const FIXTURES = fileURLToPath(new URL('../../e2e/fixtures/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'triad-apply-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function rgba(path: string) {
  const { data, info } = await sharp(path)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
}

describe('applyChain', () => {
  it('a GPU device lost mid-batch is replaced: the images in flight are rendered again, each written once with the chain’s pixels', async () => {
    for (let i = 0; i < 6; i++)
      await sharp(join(FIXTURES, i % 2 ? 'washington.jpg' : 'chelsea.png'))
        .resize(96 + i * 8, 64)
        .removeAlpha()
        .png()
        .toFile(join(work, `in-${i}.png`));
    const chain = chainFromStages([
      { effect: 'colour-adjust', params: { saturation: 40 } },
      { effect: 'invert', target: 'cpu' },
      { effect: 'vignette' },
    ]);
    const out = join(work, 'out');
    const warnings: string[] = [];
    let device: GpuContext | null = null;
    const report: ApplyReporter = {
      start: () => {},
      status: () => {},
      warn: (message) => warnings.push(message),
      gpu: (gpu) => (device = gpu),
      file: (_result, done) => {
        // After the first image: the device goes, with the next images in flight on it.
        if (done === 1) device!.device.destroy();
      },
    };
    const summary = await applyChain(
      {
        chain: encodeChainForUrl(chain),
        inputs: readdirSync(work)
          .filter((n) => n.startsWith('in-'))
          .map((n) => join(work, n)),
        out,
        strategy: 'cpu+gpu+accelerator',
        framesInFlight: 2,
        format: 'same',
        overwrite: false,
        adapter: 'opengles',
        workers: 2,
        luts: [],
      },
      report,
      new AbortController().signal,
    );
    expect(summary.files.filter((f) => f.status !== 'written')).toEqual([]);
    expect(summary.written).toBe(6);
    expect(summary.deviceLosses).toBe(1);
    expect(warnings).toContain(
      'the GPU device was lost; a new one renders the images in flight again',
    );
    expect(readdirSync(out).sort()).toEqual([
      'in-0.png',
      'in-1.png',
      'in-2.png',
      'in-3.png',
      'in-4.png',
      'in-5.png',
    ]);
    for (const name of readdirSync(out)) {
      const [input, output] = [await rgba(join(work, name)), await rgba(join(out, name))];
      const expected = runChainOnCpu(chain, input, { index: 0 }, { lut: () => undefined });
      const diff = diffImages(output, expected, 2);
      expect(diff.over, `${name}: ${JSON.stringify(diff.firstOver)}`).toBe(0);
    }
  }, 120_000);
});
