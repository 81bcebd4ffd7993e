import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../server/src/metrics';

const ROOT = new URL('../', import.meta.url).pathname;

/** Metric names a PromQL expression reads (identifiers followed by `{`, `[`, or a space/paren). */
function metricNames(expr: string): string[] {
  const words = expr.match(/\btriad_[a-z0-9_]+/g) ?? [];
  return [...new Set(words)];
}

describe('the Grafana dashboard', () => {
  it('queries only metrics the endpoint exports', async () => {
    const dashboard = JSON.parse(
      readFileSync(`${ROOT}deploy/grafana/triad-endpoint.json`, 'utf8'),
    ) as { panels: { title: string; targets: { expr: string }[] }[] };
    const metrics = new Metrics();
    const exported = new Set<string>();
    for (const m of await metrics.registry.getMetricsAsJSON()) {
      exported.add(m.name);
      if (String(m.type) === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) exported.add(m.name + suffix);
    }
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr)));
    expect(used.length).toBeGreaterThan(8);
    for (const name of used) expect(exported, `${name} is not exported`).toContain(name);
  });
});
