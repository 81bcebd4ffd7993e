import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TEST_API_MARKERS } from './test-api-markers.mjs';

const SRC = new URL('../src/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, SRC), 'utf8');

describe('the markers check-dist looks for', () => {
  it('are names in the test API, so a build that bundles it holds them', () => {
    const api = read('testing/api.ts') + read('testing/install.ts');
    for (const marker of TEST_API_MARKERS) expect(api).toContain(marker);
  });

  it('appear nowhere in the app’s own code', () => {
    const appFiles = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
      (f) => /\.(ts|svelte)$/.test(f) && !f.startsWith('testing/') && !f.endsWith('.test.ts'),
    );
    expect(appFiles.length).toBeGreaterThan(50);
    const found = appFiles.flatMap((f) =>
      TEST_API_MARKERS.filter((m) => read(f).includes(m)).map((m) => `${f}: ${m}`),
    );
    expect(found).toEqual([]);
  });
});
