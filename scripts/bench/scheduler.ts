// npm run bench:scheduler — the scheduler's own cost and quality, in Node (it is pure TypeScript):
// decision cost per frame (p50/p99) for chains of 4, 8 and 16 stages × 7 targets, and, per
// simulated scenario, Auto's throughput against the oracle and the best single device.
// Writes bench-results/scheduler.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  PlanDecider,
  SCENARIOS,
  Scheduler,
  SimClock,
  TARGETS,
  oraclePlan,
  rng,
  simulate,
  type Scenario,
  type StageInfo,
} from '../../src/scheduler';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const results: Record<string, unknown>[] = [];

// Decision cost: every stage implemented by every target, costs known (calibrated), 2000 frames.
for (const stageCount of [4, 8, 16]) {
  const random = rng(stageCount);
  let now = 0;
  const scheduler = new Scheduler(() => now, TARGETS, { exploreEvery: 100 });
  const stages: StageInfo[] = Array.from({ length: stageCount }, (_, s) => ({
    kind: `k${s}`,
    targets: TARGETS.map((t) => t.id),
  }));
  scheduler.setChain(stages, 1920 * 1080);
  const cost = stages.map(() => Object.fromEntries(TARGETS.map((t) => [t.id, 2 + random() * 30])));
  const ms: number[] = [];
  for (let frame = 0; frame < 2000; frame++) {
    const t0 = performance.now();
    const targets = scheduler.decide(frame);
    ms.push(performance.now() - t0);
    now += 16;
    targets.forEach((t, s) => scheduler.report(s, t, cost[s][t] * (0.95 + 0.1 * random())));
  }
  const steady = ms.slice(500);
  results.push({
    case: `decide: ${stageCount} stages × ${TARGETS.length} targets`,
    metric: 'decision time per frame',
    unit: 'ms',
    median: percentile(steady, 50),
    p95: percentile(steady, 95),
    p99: percentile(steady, 99),
    n: steady.length,
  });
}

// Quality in simulation: the same settings as the tests (600 frames, 8 in flight, 5% noise).
function fps(
  scenario: Scenario,
  decider: ConstructorParameters<typeof PlanDecider>[0] | 'auto',
  seed = 1,
) {
  const clock = new SimClock();
  let d;
  if (decider === 'auto') {
    const s = new Scheduler(clock.read, scenario.targets);
    s.setChain(scenario.stages, 1920 * 1080, scenario.source, scenario.sink);
    d = s;
  } else d = new PlanDecider(decider);
  return simulate(scenario, d, clock, {
    frames: 600,
    inFlight: 8,
    seed,
    events: { noise: 0.05 },
  }).fps(300);
}
for (const scenario of SCENARIOS) {
  const auto = fps(scenario, 'auto');
  const oracle = fps(scenario, oraclePlan(scenario)!);
  let single = 0;
  for (const device of new Set(scenario.targets.map((t) => t.device))) {
    const plan = oraclePlan(
      scenario,
      (id) => scenario.targets.find((t) => t.id === id)!.device === device,
    );
    if (plan) single = Math.max(single, fps(scenario, plan));
  }
  results.push({
    case: `simulated: ${scenario.name}`,
    metric: 'throughput',
    unit: 'fps',
    median: auto,
    p95: auto,
    n: 300,
    oracleFps: oracle,
    bestSingleDeviceFps: single,
    autoOverOracle: auto / oracle,
    autoOverBestSingle: auto / single,
  });
}

const environment = {
  runtime: `Node ${process.version}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  platform: `${os.platform()} ${os.release()}`,
};
const out = { benchmark: 'scheduler', date: new Date().toISOString(), environment, results };
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/scheduler.json', JSON.stringify(out, null, 2) + '\n');
const round = (v: unknown) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v);
console.log(`scheduler — ${environment.runtime}, ${environment.cpus} CPUs`);
console.table(
  results.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
);
console.log('wrote bench-results/scheduler.json');
