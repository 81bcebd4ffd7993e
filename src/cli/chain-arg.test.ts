import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chainFromStages, encodeChainForUrl, serializeChain, type Chain } from '../effects/chain';
import { readChainArgument } from './chain-arg';
import { outputPath } from './images';

const dir = mkdtempSync(join(tmpdir(), 'triad-chain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chain = chainFromStages([
  { effect: 'invert' },
  { effect: 'gaussian-blur', params: { radius: 5 } },
]);
const effects = (c: Chain) => c.stages.map((s) => [s.effect, s.params]);

describe("the --chain argument: the app's link, its token, or its file", () => {
  it('reads the three forms to the same chain', () => {
    const token = encodeChainForUrl(chain);
    const file = join(dir, 'chain.json');
    writeFileSync(file, serializeChain(chain));
    for (const [argument, origin] of [
      [`https://triad.example/app/#chain=${token}`, 'link'],
      [token, 'token'],
      [file, 'file'],
    ]) {
      const read = readChainArgument(argument);
      expect(read.origin).toBe(origin);
      expect(effects(read.chain)).toEqual(effects(chain));
      expect(read.problems).toEqual([]);
    }
  });

  it('reports repairs as problems, and says what it read text that is no chain as', () => {
    const odd = JSON.stringify({ v: 1, stages: [{ effect: 'no-such-effect', params: {} }] });
    const file = join(dir, 'odd.json');
    writeFileSync(file, odd);
    expect(readChainArgument(file).problems).toEqual([
      'stage 1: unknown effect "no-such-effect" was removed',
    ]);
    writeFileSync(join(dir, 'junk.json'), 'not json');
    expect(() => readChainArgument(join(dir, 'junk.json'))).toThrow(
      /junk\.json is not a chain file/,
    );
    expect(() => readChainArgument('https://triad.example/')).toThrow(/no "#chain=" part/);
    expect(() => readChainArgument('https://x/#chain=%%')).toThrow(/the link is not a chain/);
    expect(() => readChainArgument('abc')).toThrow(/no such file either/);
  });
});

describe('output names', () => {
  it('keep the input name, in the format asked for (same: the input’s)', () => {
    expect(outputPath('/in/a.JPG', '/out', 'same')).toBe('/out/a.jpg');
    expect(outputPath('/in/a.jpeg', '/out', 'png')).toBe('/out/a.png');
    expect(outputPath('/in/b.png', '/out', 'jpeg')).toBe('/out/b.jpg');
    expect(outputPath('/in/c.tiff', '/out', 'same')).toBe('/out/c.png');
  });
});
