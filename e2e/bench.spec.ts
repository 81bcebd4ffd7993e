import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const STRATEGIES = ['gpu-only', 'gpu+accelerator', 'cpu+gpu+accelerator', 'auto'];

// `npm run bench` in its small mode (tiny frames, few of them), as CI runs it: its own browser,
// its own endpoint process, the app as built for the other tests.
test('npm run bench --small runs the three scenarios under the four strategies and writes a complete table', () => {
  test.setTimeout(300_000);
  const run = spawnSync(process.execPath, ['scripts/bench/scenarios.mjs', '--small'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 280_000,
  });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  const out = JSON.parse(readFileSync(`${ROOT}bench-results/scenarios-small.json`, 'utf8'));
  expect(out.small).toBe(true);
  expect(out.environment.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
  const rows = out.table.rows as {
    scenario: string;
    unit: string;
    cells: Record<string, { rate: number | null; count: number; ms: number }>;
  }[];
  // The frame scenarios one frame at a time and with two in flight; the batch once.
  expect(
    rows.map((r) => [
      r.scenario.split(' (')[0].split(':')[0],
      /(\d) frames? in flight/.exec(r.scenario)?.[1] ?? null,
      r.unit,
    ]),
  ).toEqual([
    ['Video edit + render', '1', 'fps'],
    ['3D preview', '1', 'fps'],
    ['Video edit + render', '2', 'fps'],
    ['3D preview', '2', 'fps'],
    ['AI batch', null, 'items/s'],
  ]);
  for (const row of rows)
    for (const s of STRATEGIES) {
      const cell = row.cells[s];
      expect(cell.rate, `${row.scenario} / ${s}`).toBeGreaterThan(0);
      expect(cell.rate).toBeCloseTo((cell.count * 1000) / cell.ms, 6);
    }
  // The printed table is the same table, as Markdown.
  expect(run.stdout).toContain(
    '| scenario | GPU only | GPU + accelerator | CPU + GPU + accelerator | Auto |',
  );
  for (const row of rows) expect(run.stdout).toContain(`| ${row.scenario} |`);
});
