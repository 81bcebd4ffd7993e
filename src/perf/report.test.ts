import { describe, expect, it } from 'vitest';
import type { Strategy } from '../scheduler';
import {
  STRATEGIES,
  parseCsv,
  ratio,
  toCsv,
  toJson,
  toMarkdown,
  type CompareRow,
  type CompareTable,
} from './report';

const row = (scenario: string, unit: CompareRow['unit'], rates: (number | null)[]): CompareRow => ({
  scenario,
  unit,
  cells: Object.fromEntries(
    STRATEGIES.map((s, i) => [
      s,
      {
        rate: rates[i],
        count: 30,
        ms: 1000,
        ...(rates[i] === null ? { error: 'no endpoint' } : {}),
      },
    ]),
  ) as Record<Strategy, CompareRow['cells'][Strategy]>,
});

const TABLE: CompareTable = {
  machine: 'Chromium 156, lavapipe, 2 CPUs',
  date: '2026-11-25T23:00:00.000Z',
  rows: [
    row('Video edit + render', 'fps', [4.123456789, 5.5, 6.25, 7.000001]),
    row('AI batch, "folder", 3 items', 'items/s', [1.5, null, 3, 2.25]),
  ],
};

describe('comparison report', () => {
  it('CSV parses back to the same numbers, quoting included', () => {
    const parsed = parseCsv(toCsv(TABLE));
    expect(parsed).toHaveLength(2);
    parsed.forEach((p, i) => {
      const source = TABLE.rows[i];
      expect(p.scenario).toBe(source.scenario);
      expect(p.unit).toBe(source.unit);
      for (const s of STRATEGIES) expect(p.rates[s]).toBe(source.cells[s].rate);
    });
  });

  it('CSV holds each ratio to GPU only', () => {
    const lines = toCsv(TABLE).trim().split('\n');
    expect(lines[1].split(',')).toEqual([
      'Video edit + render',
      'fps',
      '4.123456789',
      '1',
      '5.5',
      String(5.5 / 4.123456789),
      '6.25',
      String(6.25 / 4.123456789),
      '7.000001',
      String(7.000001 / 4.123456789),
    ]);
    expect(ratio(TABLE.rows[1], 'gpu+accelerator')).toBeNull();
  });

  it('refuses a CSV that is not a comparison', () => {
    expect(() => parseCsv('a,b\n1,2\n')).toThrow(/unexpected header/);
  });

  it('JSON parses back to the same table', () => {
    expect(JSON.parse(toJson(TABLE))).toEqual(TABLE);
  });

  it('Markdown has a row per scenario, a column per strategy, and the ratios', () => {
    const md = toMarkdown(TABLE).split('\n');
    expect(md[0]).toBe(
      '| scenario | GPU only | GPU + accelerator | CPU + GPU + accelerator | Auto |',
    );
    expect(md[2]).toBe(
      '| Video edit + render | 4.12 fps (×1.00) | 5.50 fps (×1.33) | 6.25 fps (×1.52) | 7.00 fps (×1.70) |',
    );
    expect(md[3]).toContain('— (no endpoint)');
    expect(md[3]).toContain('3.00 items/s (×2.00)');
  });
});
