import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { ML_TARGETS } from '../src/core/targets';
import type { PlanChange, PlanTiming } from '../src/perf/report';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const STRATEGIES = ['gpu-only', 'gpu+accelerator', 'cpu+gpu+accelerator', 'auto'];
/** What a frame's time is counted against: each target, and the moves between memories. */
const TIMED = ['gpu', 'cpu', ...ML_TARGETS, 'transfer'];

// `npm run bench` in its small mode (tiny frames, few of them), as CI runs it: its own browser,
// its own endpoint process, the app as built for the other tests.
test('npm run bench --small runs the three scenarios under the four strategies and writes a complete table', () => {
  test.setTimeout(300_000);
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/bench/scenarios.mjs', '--small'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 280_000,
    },
  );
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  const out = JSON.parse(readFileSync(`${ROOT}bench-results/scenarios-small.json`, 'utf8'));
  // The one benchmark shape (docs/BENCHMARKS.md).
  expect(Object.keys(out).sort()).toEqual(['benchmark', 'date', 'environment', 'results']);
  expect(out.environment.settings.small).toBe(true);
  // One repeat, in the first order of the bench's Williams square.
  expect(out.environment.settings.orders).toEqual([
    ['gpu-only', 'gpu+accelerator', 'auto', 'cpu+gpu+accelerator'],
  ]);
  expect(out.environment.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
  type Result = Record<string, unknown> & { case: string; scenario: string };
  const results = out.results as Result[];
  const cells = results.filter((r) => r.strategy);
  // The frame scenarios one frame at a time and with two in flight; the batch once.
  const runs = [...new Set(cells.map((r) => r.scenario))];
  expect(
    runs.map((s) => [
      s.split(' (')[0].split(':')[0],
      /(\d) frames? in flight/.exec(s)?.[1] ?? null,
    ]),
  ).toEqual([
    ['Video edit + render', '1'],
    ['3D preview', '1'],
    ['Video edit + render', '2'],
    ['3D preview', '2'],
    ['AI batch', null],
  ]);
  for (const scenario of runs) {
    const row = cells.filter((r) => r.scenario === scenario);
    expect(row.map((r) => r.strategy)).toEqual(STRATEGIES);
    for (const r of row) {
      expect(r.rate, r.case).toBeGreaterThan(0);
      expect(r.n, r.case).toBeGreaterThan(0);
      expect(r.median as number).toBeGreaterThan(0);
      expect(r.p95 as number).toBeGreaterThanOrEqual(r.median as number);
      if (r.rateUnit === 'items/s') {
        // The batch ran the items in flight its planner recommended, every target with a slot.
        expect(r.itemsInFlight as number, r.case).toBeGreaterThanOrEqual(1);
        expect(Object.values(r.slots as Record<string, number>).every((n) => n >= 1)).toBe(true);
      }
      if (r.rateUnit === 'fps') {
        // What the strategy's scheduler predicted, and the plan it ran.
        expect(r.predictedFps, r.case).toBeGreaterThan(0);
        expect((r.plan as unknown[]).length).toBeGreaterThan(0);
        // Where its time went, by target (a plan may leave the GPU out: at 64×36 Auto has run
        // every stage on the CPU's side), and what it sent off its plan.
        const busy = (r.busyMsByRepeat as Record<string, number>[])[0];
        expect(Object.keys(busy).length, r.case).toBeGreaterThan(0);
        for (const [target, ms] of Object.entries(busy)) {
          expect(TIMED, r.case).toContain(target);
          expect(ms, `${r.case}: ${target}`).toBeGreaterThan(0);
        }
        // A timed frame's span, clean and not: at least one kind ran, and none took no time.
        const span = (r.spanMsByRepeat as { clean: number | null; other: number | null }[])[0];
        expect(span.clean ?? span.other, r.case).not.toBeNull();
        for (const ms of [span.clean, span.other]) if (ms !== null) expect(ms).toBeGreaterThan(0);
        // How many of the timed frames were timed cleanly: some where the span says so.
        const clean = (r.cleanFramesTimedByRepeat as number[])[0];
        expect(Number.isInteger(clean) && clean >= 0 && clean <= (r.n as number), r.case).toBe(
          true,
        );
        expect(clean > 0, r.case).toBe(span.clean !== null);
        const offPlan = (r.offPlanByRepeat as Record<string, number>[])[0];
        expect(Object.keys(offPlan).sort()).toEqual(['explore', 'probe', 'verify']);
        // Of those, the timed frames' own: never more than the repeat's.
        const offTimed = (r.offPlanTimedByRepeat as Record<string, number>[])[0];
        expect(Object.keys(offTimed).sort()).toEqual(['explore', 'probe', 'verify']);
        for (const [why, n] of Object.entries(offTimed)) {
          expect(n, `${r.case}: ${why}`).toBeGreaterThanOrEqual(0);
          expect(n, `${r.case}: ${why}`).toBeLessThanOrEqual(offPlan[why]);
        }
        // The checks of jumped estimates by what they checked ("<stage kind> on <target>"),
        // as many as the repeat's `verify`.
        const verified = (r.verifiedByRepeat as Record<string, number>[])[0];
        for (const what of Object.keys(verified)) expect(what, r.case).toMatch(/^\S+ on \S+$/);
        expect(
          Object.values(verified).reduce((a, b) => a + b, 0),
          r.case,
        ).toBe(offPlan.verify);
        // The warm-up's time between results: one per warm-up frame, none negative.
        const warm = (r.warmupIntervalsMsByRepeat as number[][])[0];
        expect(warm.length, r.case).toBe((r.warmupFramesByRepeat as number[])[0]);
        expect(warm.every((ms) => ms >= 0)).toBe(true);
        // The timed frames' own intervals: one per timed frame, the same frames as `n`.
        const timed = (r.timedIntervalsMsByRepeat as number[][])[0];
        expect(timed.length, r.case).toBe(r.n);
        expect(timed.every((ms) => ms >= 0)).toBe(true);
        // Nothing gave the strategy's scheduler another chain while its frames were timed (that
        // would start its plan and its timing over); the warm-up's chains counted, none negative.
        const chains = (r.chainsSetByRepeat as { warmup: number; timed: number }[])[0];
        expect(chains.timed, r.case).toBe(0);
        expect(chains.warmup, r.case).toBeGreaterThanOrEqual(0);
        // How its plan's timing went in the warm-up and while timed: windows, restarts by why.
        for (const t of Object.values((r.planTimingByRepeat as Record<string, PlanTiming>[])[0])) {
          expect(t.windows, r.case).toBeGreaterThanOrEqual(0);
          expect(Object.keys(t.restarts).sort()).toEqual([
            'forgotten',
            'interrupted',
            'pause',
            'plan',
            'slowdown',
          ]);
          expect(Object.values(t.restarts).every((n) => n >= 0)).toBe(true);
        }
        // The plan changes of the warm-up and of the timed frames, each a stage by name moved
        // from one placement to another, with a reason.
        const stages = (r.plan as { stage: string }[]).map((p) => p.stage);
        for (const changes of [
          (r.warmupPlanChangesByRepeat as PlanChange[][])[0],
          (r.planChangesTimedByRepeat as PlanChange[][])[0],
        ]) {
          expect(Array.isArray(changes), r.case).toBe(true);
          for (const c of changes) {
            expect(stages, r.case).toContain(c.stage.replace(/ \(stage \d+\)$/, ''));
            expect(c.from).not.toBe(c.to);
            expect(c.reason.length).toBeGreaterThan(0);
          }
        }
      }
    }
    const summary = results.find((r) => r.case === `${scenario}: Auto / best fixed`)!;
    expect(summary.autoOverBestFixed).toBeCloseTo(
      (row.find((r) => r.strategy === 'auto')!.rate as number) /
        Math.max(...row.filter((r) => r.strategy !== 'auto').map((r) => r.rate as number)),
      9,
    );
    // The fixed strategies that ran Auto's very plan (a batch: its items in flight and slots),
    // that plan's rate pooled over their repeats, and a verdict that agrees with the ratio.
    const ran = (r: Result) =>
      JSON.stringify(r.inFlight === null ? [r.itemsInFlight, r.slots] : r.plan);
    const auto = row.find((r) => r.strategy === 'auto')!;
    const same = row.filter((r) => r.strategy !== 'auto' && ran(r) === ran(auto));
    expect(summary.samePlanFixed, scenario).toEqual(same.map((r) => r.strategy));
    if (same.length === 0) expect(summary.samePlanRate).toBeNull();
    else expect(summary.autoOverSamePlan).toBeGreaterThan(0);
    expect(summary.verdict, scenario).toBe(
      (summary.autoOverBestFixed as number) >= 1
        ? 'at or above'
        : summary.samePlanAsBestFixed && (summary.missesBy as number) <= (summary.spread as number)
          ? 'same plan, within the spread'
          : 'below',
    );
    // The page's long tasks while the row ran, one count per repeat (Chromium has the API).
    const tasks = results.find((r) => r.case === `${scenario}: long tasks`)!;
    expect(tasks.n, scenario).toBe(1);
    const [count] = tasks.countByRepeat as number[];
    expect(Number.isInteger(count) && count >= 0).toBe(true);
    expect(tasks.median).toBe((tasks.longestMsByRepeat as number[])[0]);
    // A long task ran over 50 ms; Chromium reports its duration in whole ms, so 50 is one (a CI
    // run saw exactly 50).
    if (count > 0) expect(tasks.median as number).toBeGreaterThanOrEqual(50);
  }
  // The printed table is the same table, as Markdown.
  expect(run.stdout).toContain(
    '| scenario | GPU only | GPU + accelerator | CPU + GPU + accelerator | Auto |',
  );
  for (const scenario of runs) expect(run.stdout).toContain(`| ${scenario} |`);
  // How the predictions held over the run: each repeat's prediction counted, each miss named.
  const predictions = results.find((r) => r.case === 'predictions')!;
  const predicted = cells.flatMap((r) =>
    (r.predictedOverMeasuredByRepeat as (number | null)[]).filter((x) => x !== null),
  );
  expect(predictions.n).toBe(predicted.length);
  expect((predictions.within as number) + (predictions.misses as unknown[]).length).toBe(
    predicted.length,
  );
  expect(run.stdout).toContain(
    `Predictions within 15% of what their frames measured: ${predictions.within} of ${predicted.length}`,
  );
});
