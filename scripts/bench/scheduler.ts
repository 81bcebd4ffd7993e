// npm run bench:scheduler — the scheduler's quality and cost, in Node (it is pure TypeScript).
// Per built-in scenario × frames in flight (1, 2, 4), in the discrete-event simulator: Auto's
// fps, the best static plan found by simulating every assignment, the LP bound (HiGHS), Auto
// against both and against the best fixed strategy, predicted / simulated for every strategy,
// frames to re-route after a 4× slowdown and after a failure of the target the plan leans on
// most, and what exploration costs. Then the cost of a decision (`decide`, the frame path) and
// of a re-plan (`maintain`) for chains of 4, 8 and 16 stages × 8 targets. And, on cores shared
// without the scheduler knowing (`sharedCores`), Auto against the model alone and fixed plans.
// Writes bench-results/scheduler.json in the one benchmark shape (docs/BENCHMARKS.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  SCENARIOS,
  Scheduler,
  TARGETS,
  oraclePlan,
  problemOf,
  rescore,
  rng,
  strategyAllows,
  trueCosts,
  type Scenario,
  type StageInfo,
  type Strategy,
  type TargetInfo,
} from '../../src/scheduler';
import { bestSimulatedStatic, lpBoundFps } from '../../src/scheduler/sim/bound';
import { runScheduler, slowed } from '../../src/scheduler/sim/harness';
import { sharedCores } from '../../src/scheduler/sim/scenarios';
import { SHARED_CORES } from '../../src/scheduler/sim/shared-cores';

const FROM = 300;
const FIXED: Strategy[] = ['gpu-only', 'gpu+accelerator', 'cpu+gpu+accelerator'];
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const results: Record<string, unknown>[] = [];

const runnable = (scenario: Scenario, strategy: Strategy) =>
  scenario.stages.every((s) =>
    s.targets.some((t) =>
      strategyAllows(
        strategy,
        scenario.targets.find((x) => x.id === t)!,
      ),
    ),
  );

for (const inFlight of [1, 2, 4]) {
  for (const scenario of SCENARIOS) {
    const strategies: Record<string, { fps: number; predicted: number }> = {};
    let autoRun = null;
    for (const strategy of ['auto', ...FIXED] as Strategy[]) {
      if (!runnable(scenario, strategy)) continue;
      const run = runScheduler(scenario, { inFlight, options: { strategy } });
      if (strategy === 'auto') autoRun = run;
      strategies[strategy] = {
        fps: run.result.fps(FROM),
        predicted: run.scheduler.predict(strategy)!.fps,
      };
    }
    const auto = strategies.auto.fps;
    const best = bestSimulatedStatic(scenario, inFlight, () => true, { noise: 0.05 })!;
    const bound = await lpBoundFps(scenario, inFlight);
    const bestFixed = Math.max(...FIXED.flatMap((s) => strategies[s]?.fps ?? []));
    // The target the plan leans on most: the one carrying the largest load, among those whose
    // stages could run elsewhere (a failure must leave somewhere to go).
    const plan = autoRun!.scheduler.plan!;
    const replaceable = (t: string) =>
      scenario.stages.every((s) => !s.targets.includes(t) || s.targets.length > 1);
    const target = [...new Set(plan.cycle.flat())]
      .filter(replaceable)
      .map((t) => ({ t, load: plan.loads[TARGETS.find((x) => x.id === t)!.device] ?? 0 }))
      .sort((a, b) => b.load - a.load)[0].t;
    // Re-routing after a 4× slowdown: frames decided from the first slow job's end (the first
    // moment it can be known) until a plan within 15% of the best for the slowed machine.
    const after = slowed(scenario, target, 4);
    const slow = runScheduler(scenario, {
      inFlight,
      events: { noise: 0.05, slowdowns: [{ target, fromFrame: FROM, factor: 4 }] },
    });
    const known =
      slow.reports.find(
        (r) =>
          r.target === target &&
          r.decided > FROM &&
          r.ms > 2.5 * trueCosts(scenario).compute(r.stage, target)!,
      )?.decided ?? FROM;
    const bestAfter = oraclePlan(after, inFlight)!.period;
    const rerouted = slow.plans.findIndex(
      (p, f) =>
        f >= known &&
        (rescore(problemOf(after), trueCosts(after), p!, inFlight)?.period ?? Infinity) <=
          1.15 * bestAfter,
    );
    const hurt =
      rescore(problemOf(after), trueCosts(after), slow.plans[FROM - 1]!, inFlight)!.period >
      1.1 * bestAfter;
    // Failure: frames decided on the target after it starts failing, probes aside.
    const failed = runScheduler(scenario, {
      inFlight,
      events: { noise: 0.05, failures: [{ target, fromFrame: FROM }] },
    });
    const onIt = failed.decided.map((d, f) => (f >= FROM && d.includes(target) ? f : -1));
    const lastBeforeProbes = onIt.filter((f) => f >= 0).find((f, i, all) => all[i + 1] !== f + 1);
    // Exploration: the same run with and without re-measuring stale estimates, steady state.
    const long = (exploreShare: number) =>
      runScheduler(scenario, { inFlight, frames: 4000, options: { exploreShare } }).result.fps(
        1000,
      );
    const exploring = long(0.005);
    const never = long(0);
    results.push({
      case: `${scenario.name}, ${inFlight} in flight`,
      metric: 'Auto throughput (simulated, ±5% noise)',
      unit: 'fps',
      median: auto,
      p95: auto,
      n: 600 - FROM,
      inFlight,
      autoFps: auto,
      bestSimulatedFps: best.fps,
      lpBoundFps: bound,
      autoOverBound: auto / bound,
      autoOverBestSimulated: auto / best.fps,
      autoOverBestFixed: auto / bestFixed,
      predictedOverSimulated: Object.fromEntries(
        Object.entries(strategies).map(([s, r]) => [s, r.predicted / r.fps]),
      ),
      slowedTarget: target,
      framesToRerouteSlowdown: hurt ? (rerouted < 0 ? null : rerouted - known) : 'not hurt',
      framesToSeeSlowdown: known - FROM,
      framesToRerouteFailure:
        lastBeforeProbes === undefined ? 0 : Math.max(0, lastBeforeProbes - FROM + 1),
      explorationCost: 1 - exploring / never,
      autoCycle: plan.cycle.length,
    });
  }
}

// Cores shared without the scheduler knowing (a software GPU, ort-wasm and a local endpoint on
// two cores, as on this project's machines): Auto with its trial of close plans, the model
// alone, and the best fixed strategy, at the app's two frames in flight.
for (const params of SHARED_CORES) {
  const scenario = sharedCores(params);
  const fps = (strategy: Strategy, trialFrames?: number) =>
    runScheduler(scenario, {
      inFlight: 2,
      frames: 400,
      options: { strategy, ...(trialFrames === undefined ? {} : { trialFrames }) },
    }).result.fps(200);
  const auto = fps('auto');
  const modelAlone = fps('auto', 0);
  const bestFixed = Math.max(fps('gpu+accelerator'), fps('cpu+gpu+accelerator'));
  results.push({
    case: `${scenario.name}, 2 in flight`,
    metric: 'Auto throughput on shared cores (simulated)',
    unit: 'fps',
    median: auto,
    p95: auto,
    n: 200,
    inFlight: 2,
    autoFps: auto,
    modelAloneFps: modelAlone,
    bestFixedFps: bestFixed,
    autoOverBestFixed: auto / bestFixed,
    modelAloneOverBestFixed: modelAlone / bestFixed,
  });
}

// Decision and re-plan cost: every stage implemented by every target (8: the app's seven and a
// second endpoint), costs known, 2000 frames.
const EIGHT: TargetInfo[] = [
  ...TARGETS,
  { id: 'remote-2', device: 'remote-2', location: 'remote-2', accelerator: true },
];
for (const stageCount of [4, 8, 16]) {
  const random = rng(stageCount);
  let now = 0;
  const scheduler = new Scheduler(() => now, EIGHT, { inFlight: 2 });
  const stages: StageInfo[] = Array.from({ length: stageCount }, (_, s) => ({
    kind: `k${s}`,
    targets: EIGHT.map((t) => t.id),
  }));
  scheduler.setChain(stages, 1920 * 1080);
  const cost = stages.map(() => Object.fromEntries(EIGHT.map((t) => [t.id, 2 + random() * 30])));
  const decide: number[] = [];
  const replan: number[] = [];
  for (let frame = 0; frame < 2000; frame++) {
    const t0 = performance.now();
    const targets = scheduler.decide(frame);
    decide.push(performance.now() - t0);
    now += 16;
    targets.forEach((t, s) => scheduler.report(s, t, cost[s][t] * (0.95 + 0.1 * random())));
    scheduler.shown(frame); // the frame finished: Auto times its plans
    // A step in the cost every 200 frames keeps re-plans coming.
    if (frame % 200 === 199) cost[frame % stageCount][EIGHT[frame % 8].id] *= 3;
    const t1 = performance.now();
    if (scheduler.maintain()) replan.push(performance.now() - t1);
  }
  const steady = decide.slice(500);
  results.push({
    case: `decide: ${stageCount} stages × ${EIGHT.length} targets`,
    metric: 'place() on the frame path',
    unit: 'ms',
    median: percentile(steady, 50),
    p95: percentile(steady, 95),
    p99: percentile(steady, 99),
    n: steady.length,
  });
  results.push({
    case: `re-plan: ${stageCount} stages × ${EIGHT.length} targets`,
    metric: 'maintain() off the frame path',
    unit: 'ms',
    median: percentile(replan, 50),
    p95: percentile(replan, 95),
    p99: percentile(replan, 99),
    n: replan.length,
  });
}

const environment = {
  runtime: `Node ${process.version}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  platform: `${os.platform()} ${os.release()}`,
  node: process.version,
};
const out = { benchmark: 'scheduler', date: new Date().toISOString(), environment, results };
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/scheduler.json', JSON.stringify(out, null, 2) + '\n');
const round = (v: unknown): unknown =>
  typeof v === 'number'
    ? Math.round(v * 1000) / 1000
    : v && typeof v === 'object'
      ? Object.values(v)
          .map((x) => round(x))
          .join(' ')
      : v;
console.log(`scheduler — ${environment.runtime}, ${environment.cpus} CPUs`);
console.table(
  results.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
);
console.log('wrote bench-results/scheduler.json');
