// The triad command as a person runs it: the real bin in a child process (Vite's loader, Dawn on
// llvmpipe, worker threads, onnxruntime-node, a real endpoint process), real image files in a
// temporary folder, outputs decoded and checked against the CPU reference kernels.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainFromStages, encodeChainForUrl, serializeChain, type Chain } from '../effects/chain';
import { diffImages, runChainOnCpu } from '../engine/cpu-chain';
import { packLut } from '../effects/lut/lut';
import { parseCube } from '../effects/lut/cube';
import type { RgbaImage } from '../core/image';
import { spawnServer, type SpawnedServer } from '../../server/test/spawn';
import type { ApplySummary } from './apply';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(ROOT, 'e2e/fixtures');

interface Run {
  child: ChildProcess;
  /** Resolves once stderr has shown a line matching `pattern`. */
  seen(pattern: RegExp): Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function triad(args: string[]): Run {
  const child = spawn(process.execPath, ['bin/triad.mjs', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
    for (const w of waiters.filter((w) => w.pattern.test(stderr))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  return {
    child,
    seen: (pattern) =>
      new Promise((resolve) =>
        pattern.test(stderr) ? resolve() : waiters.push({ pattern, resolve }),
      ),
    done: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr }))),
  };
}

const link = (chain: Chain) => `http://localhost:5173/#chain=${encodeChainForUrl(chain)}`;

async function readImage(path: string): Promise<RgbaImage> {
  const { data, info } = await sharp(path)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
}

const work = mkdtempSync(join(tmpdir(), 'triad-cli-'));
/** A new folder under the test's temporary one. */
const folder = (name: string) => {
  mkdirSync(join(work, name), { recursive: true });
  return join(work, name);
};
const inputs = folder('in');

beforeAll(async () => {
  // Small opaque pictures (software GPU), a corrupt one, an empty one, and a file that is no image.
  await sharp(join(FIXTURES, 'washington.jpg')).resize(96, 64).png().toFile(join(inputs, 'a.png'));
  await sharp(join(FIXTURES, 'chelsea.png'))
    .resize(80, 60)
    .removeAlpha()
    .png()
    .toFile(join(inputs, 'b.png'));
  await sharp(join(FIXTURES, 'astronaut-256.png'))
    .resize(64, 64)
    .removeAlpha()
    .jpeg({ quality: 95 })
    .toFile(join(inputs, 'c.jpg'));
  const png = await sharp(join(inputs, 'a.png')).toBuffer();
  writeFileSync(join(inputs, 'broken.png'), png.subarray(0, 200));
  writeFileSync(join(inputs, 'empty.jpg'), '');
  writeFileSync(join(inputs, 'notes.txt'), 'not an image');
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('triad apply', () => {
  it('runs a mixed GPU/CPU/AI chain over a folder: good files written, a corrupt and an empty one reported, exit code 1', async () => {
    const chain = chainFromStages([
      { effect: 'colour-adjust', params: { saturation: 40 } },
      { effect: 'invert' },
      { effect: 'background-blur' },
      { effect: 'vignette' },
    ]);
    const out = join(work, 'mixed');
    const run = triad([
      'apply',
      '--chain',
      link(chain),
      '--out',
      out,
      '--strategy',
      'cpu+gpu+accel',
      '--json',
      inputs,
    ]);
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(1);
    const summary = JSON.parse(stdout) as ApplySummary;
    expect(summary.written).toBe(3);
    expect(summary.failed).toBe(2);
    const byName = (name: string) => summary.files.find((f) => f.input.endsWith(name))!;
    expect(byName('empty.jpg').error).toMatch(/empty \(0 bytes\)/);
    expect(byName('broken.png').error).toMatch(/not a readable image/);
    expect(summary.files.some((f) => f.input.endsWith('notes.txt'))).toBe(false);
    // The AI stage ran on onnxruntime-node (the one ML target here).
    expect(summary.placements[2].targets).toEqual({ 'ort-node': 3 });
    for (const name of ['a.png', 'b.png', 'c.jpg']) {
      const f = byName(name);
      expect(f.status).toBe('written');
      const [input, output] = await Promise.all([readImage(f.input), readImage(f.output!)]);
      expect([output.width, output.height]).toEqual([input.width, input.height]);
      expect(diffImages(output, input, 8).over).toBeGreaterThan(0); // the chain changed it
    }
    expect(readdirSync(out).sort()).toEqual(['a.png', 'b.png', 'c.jpg']); // nothing partial
  }, 180_000);

  it("writes the CPU reference's pixels for a pixel chain, from a chain file, with EXIF orientation applied", async () => {
    const chain = chainFromStages([
      { effect: 'colour-adjust', params: { saturation: 40, hue: 30 } },
      { effect: 'invert' },
      { effect: 'vignette' },
    ]);
    const file = join(work, 'chain.json');
    writeFileSync(file, serializeChain(chain));
    const rotated = folder('rotated');
    // Stored 96×64 with "rotate 90° clockwise to view": shown (and processed) as 64×96.
    await sharp(join(inputs, 'a.png'))
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 100 })
      .toFile(join(rotated, 'r.jpg'));
    const out = join(work, 'pixels');
    const { code, stderr } = await triad([
      'apply',
      '--chain',
      file,
      '--out',
      out,
      '--format',
      'png',
      join(inputs, 'a.png'),
      join(rotated, 'r.jpg'),
    ]).done;
    expect(code, stderr).toBe(0);
    for (const [input, output] of [
      [join(inputs, 'a.png'), join(out, 'a.png')],
      [join(rotated, 'r.jpg'), join(out, 'r.png')],
    ]) {
      const { data, info } = await sharp(input)
        .rotate()
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const upright = { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
      const expected = runChainOnCpu(chain, upright, { index: 0 }, { lut: () => undefined });
      const shown = await readImage(output);
      expect([shown.width, shown.height]).toEqual([upright.width, upright.height]);
      const diff = diffImages(shown, expected, 2);
      expect(diff.over, JSON.stringify(diff.firstOver)).toBe(0);
    }
    expect([(await readImage(join(out, 'r.png'))).width]).toEqual([64]);
  }, 120_000);

  it('a LUT stage runs with the table given by --lut (before the inputs), as the CPU reference does', async () => {
    // A 2³ LUT that rotates the channels: not an identity, so a stage that passed through fails.
    const rows = ['LUT_3D_SIZE 2'];
    for (const b of [0, 1])
      for (const g of [0, 1]) for (const r of [0, 1]) rows.push(`${g} ${b} ${r}`);
    const cube = join(work, 'rotate.cube');
    writeFileSync(cube, rows.join('\n'));
    const lut = packLut(parseCube(rows.join('\n')), 'rotate.cube');
    const chain = chainFromStages([
      { effect: 'lut-3d', params: { lut: { id: lut.id, name: lut.name } } },
    ]);
    const out = join(work, 'lut');
    const { code, stderr } = await triad([
      'apply',
      '--chain',
      link(chain),
      '--lut',
      cube,
      '--out',
      out,
      join(inputs, 'a.png'),
    ]).done;
    expect(code, stderr).toBe(0);
    const input = await readImage(join(inputs, 'a.png'));
    const expected = runChainOnCpu(
      chain,
      input,
      { index: 0 },
      { lut: (id) => (id === lut.id ? lut : undefined) },
    );
    const diff = diffImages(await readImage(join(out, 'a.png')), expected, 1);
    expect(diff.over, JSON.stringify(diff.firstOver)).toBe(0);
    expect(diffImages(expected, input, 8).over).toBeGreaterThan(0);
  }, 120_000);

  it('stops cleanly on Ctrl-C: what finished is kept, nothing partial is left, exit code 130', async () => {
    const many = folder('many');
    for (let i = 0; i < 12; i++)
      copyFileSync(join(inputs, 'a.png'), join(many, `${String(i).padStart(2, '0')}.png`));
    const chain = chainFromStages([
      { effect: 'gaussian-blur', params: { radius: 32 } },
      { effect: 'invert', target: 'cpu' },
    ]);
    const out = join(work, 'interrupted');
    const run = triad([
      'apply',
      '--chain',
      link(chain),
      '--out',
      out,
      '--frames-in-flight',
      '1',
      many,
    ]);
    await run.seen(/✓ .*00\.png/);
    run.child.kill('SIGINT');
    const { code, stderr } = await run.done;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/Stopped \(Ctrl-C\): \d+ written/);
    const written = readdirSync(out);
    expect(written.length).toBeGreaterThanOrEqual(1);
    expect(written.length).toBeLessThan(12);
    expect(written.every((name) => /^\d\d\.png$/.test(name))).toBe(true); // no .partial file
    for (const name of written) expect((await readImage(join(out, name))).width).toBe(96);
  }, 120_000);

  it('refuses what it cannot do before touching a file: a damaged link, a missing LUT, no inputs (exit code 2)', async () => {
    const out = join(work, 'refused');
    const damaged = await triad(['apply', '--chain', 'http://x/#chain=%%%', '--out', out, inputs])
      .done;
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toMatch(/the link is not a chain/);
    const lut = chainFromStages([
      { effect: 'lut-3d', params: { lut: { id: 'lut-abc', name: 'teal.cube' } } },
    ]);
    const missing = await triad(['apply', '--chain', link(lut), '--out', out, inputs]).done;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/give it with --lut teal\.cube/);
    const invert = chainFromStages([{ effect: 'invert' }]);
    const none = await triad([
      'apply',
      '--chain',
      link(invert),
      '--out',
      out,
      join(work, 'nothing-here'),
    ]).done;
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no input images; .*nothing-here: no such file or folder/);
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    const notFolder = await triad(['apply', '--chain', link(invert), '--out', file, inputs]).done;
    expect(notFolder.code).toBe(2);
    expect(notFolder.stderr).toMatch(/--out .*a-file is a file, not a folder/);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});

describe('triad bench --effects', () => {
  it("times bench:effects' cases on Dawn and writes them in the one benchmark shape", async () => {
    const file = join(work, 'effects.json');
    const { code, stdout, stderr } = await triad([
      'bench',
      '--effects',
      '--frames',
      '2',
      '--warmup',
      '0',
      '--cases',
      '^(invert|custom)',
      '--out',
      file,
    ]).done;
    expect(code, stderr).toBe(0);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written).toMatchObject({ benchmark: 'effects', environment: { runtime: 'node-dawn' } });
    expect(written.environment.adapter.name).toMatch(/\((opengles|vulkan), (core|compatibility)\)/);
    expect(written.results.map((r: { case: string }) => r.case)).toEqual([
      'invert',
      'custom (the template)',
    ]);
    for (const r of written.results) {
      expect(r).toMatchObject({
        metric: 'frame time',
        unit: 'ms',
        n: 2,
        submitsPerFrame: 1,
        readbacksPerFrame: 0,
      });
      expect(r.median).toBeGreaterThan(0);
      expect(r.p95).toBeGreaterThanOrEqual(r.median);
    }
    expect(stdout).toContain('| custom (the template) |');
  }, 120_000);
});

describe('triad apply with an endpoint', () => {
  let server: SpawnedServer | null = null;
  beforeAll(async () => {
    server = await spawnServer([]);
  }, 60_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('bench --small runs the three scenarios under the four strategies, in the shape npm run bench writes', async () => {
    const file = join(work, 'scenarios.json');
    const { code, stdout, stderr } = await triad([
      'bench',
      '--small',
      '--endpoint',
      server!.url,
      '--out',
      file,
    ]).done;
    expect(code, stderr).toBe(0);
    const out = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(out).sort()).toEqual(['benchmark', 'date', 'environment', 'results']);
    expect(out.environment).toMatchObject({ runtime: 'node-dawn', endpoint: server!.url });
    expect(out.environment.adapter.backend).toMatch(/^(vulkan|opengles)$/);
    const cells = out.results.filter((r: { strategy?: string }) => r.strategy);
    // Two frame scenarios at 1 and 2 frames in flight, and the batch: four strategies each.
    expect(cells).toHaveLength(5 * 4);
    for (const r of cells) {
      if (r.strategy === 'gpu-only') {
        // No ML target runs on the GPU here: GPU only cannot run these chains, and says so.
        expect(r.rate, r.case).toBeNull();
        expect(r.error).toMatch(/has no target here that runs|no ML target this strategy allows/);
        continue;
      }
      expect(r.rate, `${r.case}: ${r.error}`).toBeGreaterThan(0);
      expect(r).toMatchObject({ unit: 'ms', n: expect.any(Number) });
      expect(r.p95).toBeGreaterThanOrEqual(r.median);
      if (r.rateUnit === 'fps') expect(r.predictedFps, r.case).toBeGreaterThan(0);
    }
    const vsBest = out.results.filter(
      (r: { metric: string }) => r.metric === 'Auto over the best fixed strategy',
    );
    expect(vsBest).toHaveLength(5);
    for (const r of vsBest) expect(r.autoOverBestFixed).toBeGreaterThan(0);
    // How the predictions held: every fps prediction counted, each miss named.
    const predictions = out.results.find((r: { case: string }) => r.case === 'predictions');
    const predicted = cells.flatMap((r: { predictedOverMeasuredByRepeat: (number | null)[] }) =>
      r.predictedOverMeasuredByRepeat.filter((x) => x !== null),
    );
    expect(predictions).toMatchObject({ n: predicted.length, goal: 0.15 });
    expect(predictions.within + predictions.misses.length).toBe(predicted.length);
    expect(stdout).toMatch(/\| AI batch: 6 sample images, Super-resolution ×2 \|/);
  }, 180_000);

  it('an endpoint that dies mid-batch: its stages move to onnxruntime-node and every image is written', async () => {
    const batch = folder('batch');
    for (let i = 0; i < 12; i++)
      copyFileSync(join(inputs, i % 2 ? 'a.png' : 'b.png'), join(batch, `${i}.png`));
    const chain = chainFromStages([{ effect: 'background-blur' }, { effect: 'vignette' }]);
    const out = join(work, 'endpoint');
    const run = triad([
      'apply',
      '--chain',
      link(chain),
      '--out',
      out,
      '--strategy',
      'gpu+accel',
      '--frames-in-flight',
      '1',
      '--endpoint',
      server!.url,
      '--json',
      batch,
    ]);
    // The first image goes to the endpoint; then the endpoint is gone.
    await run.seen(/✓ /);
    await server!.stop('SIGKILL');
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as ApplySummary;
    expect(summary.written).toBe(12);
    expect(Object.keys(summary.placements[0].targets).sort()).toEqual(['ort-node', 'remote']);
  }, 180_000);
});
