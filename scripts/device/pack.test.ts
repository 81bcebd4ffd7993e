// The device recipe (scripts/device/README.md) as a GPU machine would run it, minus the GPU:
// the pack built, copied to an empty folder, unpacked, and run with its own Node binary and no
// environment at all (no PATH, no node_modules but Dawn's binding it carries), on llvmpipe.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'triad-device-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the device pack', () => {
  it('runs bench --effects from an empty folder with only what it carries, under the 64 MiB a call takes', () => {
    execFileSync(process.execPath, ['scripts/device/pack.mjs'], { cwd: ROOT, stdio: 'pipe' });
    const pack = join(work, 'device-pack');
    cpSync(join(ROOT, 'device-pack'), pack, { recursive: true });
    let size = 0;
    for (const f of [
      'node.gz',
      'bench-effects.mjs',
      'frame.rgba.gz',
      'node_modules/webgpu/dist/linux-x64/dawn.node.gz',
    ])
      size += statSync(join(pack, f)).size;
    // With the checkout it travels with (~12 MiB), inside the device tool's 64 MiB.
    expect(size).toBeLessThan(50 * 2 ** 20);
    execFileSync(
      'sh',
      ['-c', 'gunzip -k node.gz node_modules/webgpu/dist/linux-x64/dawn.node.gz && chmod +x node'],
      { cwd: pack },
    );
    const out = join(work, 'effects-node.json');
    const run = spawnSync(
      './node',
      [
        'bench-effects.mjs',
        '--adapter',
        'opengles',
        '--frames',
        '2',
        '--warmup',
        '0',
        '--cases',
        '^invert$',
        '--out',
        out,
      ],
      { cwd: pack, env: {}, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written).toMatchObject({ benchmark: 'effects', environment: { runtime: 'node-dawn' } });
    expect(written.results).toHaveLength(1);
    expect(written.results[0]).toMatchObject({ case: 'invert', n: 2, submitsPerFrame: 1 });
  }, 120_000);
});
