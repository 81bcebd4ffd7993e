// npm run bench — the three built-in scenarios (Video edit + render, 3D preview, AI batch) under
// the four strategies (GPU only, GPU + accelerator, CPU + GPU + accelerator, Auto), in headless
// Chromium, with the local inference endpoint started here as the accelerator. Prints the table
// and writes bench-results/scenarios.json in the one benchmark shape: a result per scenario ×
// strategy × frames in flight (frame interval median/p95, the rate of each repeat and their
// spread, what the strategy's scheduler predicted and the plan it ran), and per row Auto against
// the best fixed strategy.
//
//   --small                tiny frames, few of them (what CI runs): bench-results/scenarios-small.json
//   BENCH_FRAMES, BENCH_WARMUP, BENCH_CALIBRATION (extra warm-up frames allowed while the
//   scheduler is still measuring), BENCH_VIDEO=1280x720, BENCH_SCENE=480x270, BENCH_BATCH=256
//                          override the full run's sizes (the defaults are the app's: 1080p, 30 frames)
//   BENCH_ONLY=video-edit  run only these scenarios (comma-separated ids)
//   BENCH_IN_FLIGHT=1,2    frames in flight to run the frame scenarios with (each a row; default
//                          both: one frame at a time, and the app's default of two overlapping)
//   BENCH_REPEATS=2        times each row is measured (default 2; 1 with --small)
//   BENCH_PAGE_WARMUP=1    passes of the first row run, and not counted, before any row is
//                          measured (default 1; 0 with --small): the page's first seconds
//                          run slower under every strategy
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApp } from './harness.mjs';
// Shared with `triad bench` (Node on Dawn): the strategies' orders and the results' shape.
import { median, orderOf, predictionsOf, resultsOf } from '../../src/perf/scenario-results.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const small = process.argv.includes('--small');
const IN_FLIGHT = (process.env.BENCH_IN_FLIGHT ?? '1,2').split(',').map(Number);
// The frame scenarios once per frames-in-flight setting; the batch (items, not frames) once.
const RUNS = [
  ...IN_FLIGHT.flatMap((inFlight) => ['video-edit', 'preview-3d'].map((id) => ({ id, inFlight }))),
  { id: 'ai-batch', inFlight: IN_FLIGHT.at(-1) },
].filter((r) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').includes(r.id));
const STRATEGIES = ['gpu-only', 'gpu+accelerator', 'cpu+gpu+accelerator', 'auto'];
const REPEATS = Number(process.env.BENCH_REPEATS ?? (small ? 1 : 2));
const PAGE_WARMUP = Number(process.env.BENCH_PAGE_WARMUP ?? (small ? 0 : 1));
const dims = (v, d) => (v ? v.split('x').map(Number) : d);

const size = small
  ? 'small'
  : {
      video: dims(process.env.BENCH_VIDEO, [1920, 1080]),
      scene: dims(process.env.BENCH_SCENE, [960, 540]),
      batchImage: Number(process.env.BENCH_BATCH ?? 256),
      batchItems: Number(process.env.BENCH_BATCH_ITEMS ?? 30),
      frames: Number(process.env.BENCH_FRAMES ?? 30),
      warmup: Number(process.env.BENCH_WARMUP ?? 10),
      calibrationCap: Number(process.env.BENCH_CALIBRATION ?? 60),
    };

/** The endpoint server as a child process; resolves with its URL once it listens. */
function startEndpoint(origin) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/src/main.ts', '--port', '0', '--cors', origin],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the endpoint exited (${code}):\n${output}`)));
    setTimeout(() => reject(new Error(`the endpoint did not start:\n${output}`)), 60_000).unref();
  });
  return { child, url };
}

/** Points the page at the endpoint (its toggle, URL field and save) and waits until ready. */
async function connect(page, endpointUrl) {
  await page.getByTestId('endpoint.toggle').click();
  await page.getByTestId('endpoint.url').fill(endpointUrl);
  await page.getByTestId('endpoint.save').click();
  await page
    .getByTestId('endpoint.state')
    .filter({ hasText: 'ready' })
    .waitFor({ timeout: 60_000 });
  await page.keyboard.press('Escape');
}

const app = await openApp();
let endpoint = null;
try {
  const { page, environment } = app;
  endpoint = startEndpoint(new URL(page.url()).origin);
  const endpointUrl = await endpoint.url;
  await connect(page, endpointUrl);
  environment.endpoint = `${endpointUrl} (this machine's CPU, onnxruntime-node)`;
  // The page's first seconds run slower under every strategy (WebAssembly tiering up, the first
  // models and pipelines): the first row's first repeat ran 8–22% below its second under each
  // of the four (2026-12-05), and the second repeat's predictions, made from the first's
  // frames, were that much pessimistic. The first row once, not counted, before any is measured.
  for (let pass = 1; pass <= PAGE_WARMUP && RUNS.length > 0; pass++) {
    const { id, inFlight } = RUNS[0];
    const started = Date.now();
    const ran = await page.evaluate(
      async ([id, size, inFlight, order]) => {
        window.__triad.setFramesInFlight(inFlight);
        return !!(await window.__triad.runScenario(id, size, order)).row;
      },
      [id, size, inFlight, orderOf(1)],
    );
    const s = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`page warm-up (${id}, not counted): ${s} s${ran ? '' : ', did not complete'}`);
  }
  // Nor are its plans' timed windows: the first repeat was predicted from them (the measured
  // basis) at 0.82–0.84 of what its frames then ran at (2026-12-06).
  if (PAGE_WARMUP > 0) await page.evaluate(() => window.__triad.forgetPlanTimings());
  /** Each run's rows, one per repeat. */
  const measured = [];
  let machine = '';
  for (const { id, inFlight } of RUNS) {
    const repeats = [];
    for (let repeat = 1; repeat <= REPEATS; repeat++) {
      for (let attempt = 1; ; attempt++) {
        const started = Date.now();
        // A machine that drifts during a row (the endpoint warming, memory growing) does not
        // always favour the same strategy (see orderOf in src/perf/scenario-results.ts).
        const order = orderOf(repeat);
        const { row, table, autoChanges, offPlan, verified, replanMs, longTasks } =
          await page.evaluate(
            async ([id, size, inFlight, order, strategies]) => {
              window.__triad.setFramesInFlight(inFlight);
              const state = () => strategies.map((s) => window.__triad.schedulerState(s));
              const before = state();
              const t0 = window.__triad.now();
              const result = await window.__triad.runScenario(id, size, order);
              // Tasks that held the page's thread over 50 ms while the row ran (issue 17).
              const longTasks = window.__triad.longTasks(t0);
              const after = state();
              // Per strategy, over this repeat: frames sent off the plan (probes, checks of a
              // jumped estimate, exploration) and the re-plans' time on the page's thread.
              const offPlan = {};
              const verified = {};
              const replanMs = {};
              const since = (was, is) =>
                Object.fromEntries(Object.keys(is).map((w) => [w, is[w] - (was[w] ?? 0)]));
              strategies.forEach((s, k) => {
                offPlan[s] = since(before[k].offPlan, after[k].offPlan);
                verified[s] = since(before[k].verified, after[k].verified);
                replanMs[s] = after[k].replanTimes.slice(before[k].replanTimes.length);
              });
              // Why Auto ran the plan it ran: its placement log (trials, measured gains) over this
              // repeat alone (the log is the session's: earlier rows' entries are not this row's).
              const changes = window.__triad
                .schedulerState('auto')
                .changes.filter((c) => c.at >= t0)
                .slice(-30);
              return { ...result, autoChanges: changes, offPlan, verified, replanMs, longTasks };
            },
            [id, size, inFlight, order, STRATEGIES],
          );
        if (!row) throw new Error(`${id} did not run (see the page's notices)`);
        machine = table.machine;
        console.log(
          `${row.scenario} (repeat ${repeat}): ${((Date.now() - started) / 1000).toFixed(0)} s`,
        );
        // A GPU device lost under a strategy whose AI runtimes cannot follow it to a new device:
        // measure the row again in a fresh page. Seen with Dawn's GL backend on lavapipe.
        const missing = STRATEGIES.filter((s) => row.cells[s].rate === null);
        // The session's notices (a card on screen may have faded by now).
        const notices = await page.evaluate(() => window.__triad.noticeLog());
        const lost = notices.some((n) => n.title === 'GPU device lost');
        if (missing.length === 0 || !lost || attempt === 3) {
          repeats.push({ ...row, autoChanges, offPlan, verified, replanMs, longTasks });
          break;
        }
        console.log(
          `  the GPU device was lost (${missing.join(', ')} not measured): again in a fresh page`,
        );
        await freshPage(page);
        if ((await page.evaluate(() => window.__triad.ready())) !== 'ready')
          throw new Error('WebGPU did not come back after a reload');
        await connect(page, endpointUrl);
      }
    }
    measured.push({ id, inFlight, repeats });
  }
  const results = measured.flatMap((run) => resultsOf(run));
  const predictions = predictionsOf(results);
  if (predictions) results.push(predictions);
  // The comparison table as compare mode shows it: each cell the median of its repeats.
  const table = {
    machine,
    date: new Date().toISOString(),
    rows: measured.map(({ repeats }) => ({
      ...repeats[0],
      cells: Object.fromEntries(
        STRATEGIES.map((s) => {
          const rates = repeats.map((r) => r.cells[s].rate).filter((v) => v !== null);
          const cell =
            repeats.find((r) => r.cells[s].rate !== null)?.cells[s] ?? repeats[0].cells[s];
          return [s, { ...cell, rate: rates.length ? median(rates) : null }];
        }),
      ),
    })),
  };
  environment.settings = {
    small,
    size,
    inFlight: IN_FLIGHT,
    repeats: REPEATS,
    pageWarmup: PAGE_WARMUP,
    // The strategies' order in each repeat.
    orders: Array.from({ length: REPEATS }, (_, r) => orderOf(r + 1)),
  };
  const out = { benchmark: 'scenarios', date: table.date, environment, results };
  mkdirSync(`${ROOT}bench-results`, { recursive: true });
  const file = `${ROOT}bench-results/scenarios${small ? '-small' : ''}.json`;
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  const markdown = await page.evaluate((t) => window.__triad.markdownOf(t), table);
  console.log(
    `\nscenarios — ${environment.browser}, adapter ${environment.adapter.kind}, ${environment.cpus} CPUs\n`,
  );
  console.log(markdown);
  console.log('Predicted / measured, and Auto against the best fixed strategy:');
  console.table(
    results.map((r) => ({
      case: r.case,
      rate: round(r.rate),
      spread: round(r.spread),
      predictedOverMeasured: round(r.predictedOverMeasured),
      autoOverBestFixed: round(r.autoOverBestFixed),
      autoOverSamePlan: round(r.autoOverSamePlan),
      verdict: r.verdict,
      plan: r.plan?.map((p) => `${p.stage} → ${p.targets}`).join(', '),
    })),
  );
  if (predictions) {
    const misses = predictions.misses.map(
      (m) =>
        `${m.case} at ${m.inFlight} in flight, repeat ${m.nth}: ${round(m.predictedOverMeasured)} (${m.basis}; the cell's repeats differ by ${Math.round(m.spread * 100)}%)`,
    );
    console.log(
      `Predictions within ${predictions.goal * 100}% of what their frames measured: ${predictions.within} of ${predictions.n}${misses.length ? `\n  ${misses.join('\n  ')}` : ''}`,
    );
  }
  console.log('Main-thread tasks over 50 ms while each row ran (count per repeat, longest):');
  console.table(
    results
      .filter((r) => r.metric === 'longest main-thread task')
      .map((r) => ({ case: r.case, count: r.countByRepeat.join(', '), longestMs: r.p95 })),
  );
  console.log(`wrote ${file}`);
  const missing = results.filter((r) => r.strategy && r.rate === null);
  if (missing.length) {
    console.error(
      `cells without a measurement:\n  ${missing.map((r) => `${r.case}: ${r.error}`).join('\n  ')}`,
    );
    const notices = await page.evaluate(() => window.__triad.noticeLog());
    console.error(
      `the page's notices:\n  ${notices.map((n) => `${n.title}: ${n.message}`).join('\n  ')}`,
    );
    process.exitCode = 1;
  }
} finally {
  endpoint?.child.kill('SIGTERM');
  await app.close();
}

/**
 * Loads the app again in `page`. A reload right after a device loss can be aborted (seen in CI on
 * lavapipe: "net::ERR_ABORTED; maybe frame was detached?", the browser still tearing the old
 * document down): then it navigates again, up to three times.
 */
async function freshPage(page) {
  const url = page.url();
  for (let attempt = 1; ; attempt++) {
    try {
      await (attempt === 1 ? page.reload() : page.goto(url));
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      console.log(`  the reload was interrupted (${error.message.split('\n')[0]}): again`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function round(v) {
  return typeof v === 'number' ? Math.round(v * 1000) / 1000 : v;
}
