// npm run bench — the three built-in scenarios (Video edit + render, 3D preview, AI batch) under
// the four strategies (GPU only, GPU + accelerator, CPU + GPU + accelerator, Auto), in headless
// Chromium, with the local inference endpoint started here as the accelerator. Prints the table
// and writes bench-results/scenarios.json (the comparison table, as compare mode exports it).
//
//   --small                tiny frames, few of them (what CI runs): bench-results/scenarios-small.json
//   BENCH_FRAMES, BENCH_WARMUP, BENCH_CALIBRATION (extra warm-up frames allowed while the
//   scheduler is still measuring), BENCH_VIDEO=1280x720, BENCH_SCENE=480x270, BENCH_BATCH=256
//                          override the full run's sizes (the defaults are the app's: 1080p, 30 frames)
//   BENCH_ONLY=video-edit  run only these scenarios (comma-separated ids)
//   BENCH_IN_FLIGHT=1,2    frames in flight to run the frame scenarios with (each a row; default
//                          both: one frame at a time, and the app's default of two overlapping)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApp } from './harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const small = process.argv.includes('--small');
const IN_FLIGHT = (process.env.BENCH_IN_FLIGHT ?? '1,2').split(',').map(Number);
// The frame scenarios once per frames-in-flight setting; the batch (items, not frames) once.
const RUNS = [
  ...IN_FLIGHT.flatMap((inFlight) => ['video-edit', 'preview-3d'].map((id) => ({ id, inFlight }))),
  { id: 'ai-batch', inFlight: IN_FLIGHT.at(-1) },
].filter((r) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').includes(r.id));
const STRATEGIES = ['gpu-only', 'gpu+accelerator', 'cpu+gpu+accelerator', 'auto'];
const dims = (v, d) => (v ? v.split('x').map(Number) : d);

const size = small
  ? 'small'
  : {
      video: dims(process.env.BENCH_VIDEO, [1920, 1080]),
      scene: dims(process.env.BENCH_SCENE, [960, 540]),
      batchImage: Number(process.env.BENCH_BATCH ?? 256),
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
  const rows = [];
  let table = null;
  for (const { id, inFlight } of RUNS) {
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      const { row, table: t } = await page.evaluate(
        async ([id, size, inFlight]) => {
          window.__triad.setFramesInFlight(inFlight);
          return window.__triad.runScenario(id, size);
        },
        [id, size, inFlight],
      );
      if (!row) throw new Error(`${id} did not run (see the page's notices)`);
      table = t;
      console.log(`${row.scenario}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
      if (row.unit === 'fps') {
        // What Auto chose, stage by stage (the table says how fast; this says why).
        row.autoPlan = await page.evaluate(() => {
          const { plan } = window.__triad.schedulerState('auto');
          const stages = window.__triad.state().chain.stages.filter((s) => s.enabled);
          return (plan?.stages ?? []).map((shares, i) => ({
            stage: stages[i]?.effect,
            targets: shares.map(
              (x) => `${x.target}${x.share < 1 ? ` ${Math.round(x.share * 100)}%` : ''}`,
            ),
          }));
        });
        console.log(
          `  Auto: ${row.autoPlan.map((p) => `${p.stage} → ${p.targets.join(' + ')}`).join(', ')}`,
        );
      }
      // A GPU device lost under a strategy whose AI runtimes cannot follow it to a new device
      // (tfjs-webgpu and ort-webgpu keep the first one): measure the scenario again in a fresh
      // page. Seen with Dawn's GL backend on lavapipe, never on a real GPU here.
      const missing = STRATEGIES.filter((s) => row.cells[s].rate === null);
      const notices = await page.getByTestId('notice').allInnerTexts();
      const lost = notices.some((n) => n.includes('GPU device lost'));
      if (missing.length === 0 || !lost || attempt === 3) {
        rows.push(row);
        break;
      }
      console.log(
        `  the GPU device was lost (${missing.join(', ')} not measured): again in a fresh page`,
      );
      await page.reload();
      if ((await page.evaluate(() => window.__triad.ready())) !== 'ready')
        throw new Error('WebGPU did not come back after a reload');
      await connect(page, endpointUrl);
    }
  }
  table = { ...table, rows };
  const missing = table.rows.flatMap((row) =>
    STRATEGIES.filter((s) => row.cells[s].rate === null).map(
      (s) => `${row.scenario} / ${s}: ${row.cells[s].error}`,
    ),
  );
  const out = { benchmark: 'scenarios', small, environment, size, inFlight: IN_FLIGHT, table };
  mkdirSync(`${ROOT}bench-results`, { recursive: true });
  const file = `${ROOT}bench-results/scenarios${small ? '-small' : ''}.json`;
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  const markdown = await page.evaluate((t) => window.__triad.markdownOf(t), table);
  console.log(
    `\nscenarios — ${environment.browser}, adapter ${environment.adapter.kind}, ${environment.cpus} CPUs\n`,
  );
  console.log(markdown);
  console.log(`wrote ${file}`);
  if (missing.length) {
    console.error(`cells without a measurement:\n  ${missing.join('\n  ')}`);
    const notices = await page.getByTestId('notice').allInnerTexts();
    console.error(`the page's notices:\n  ${notices.join('\n  ').replaceAll('\n', ' ')}`);
    process.exitCode = 1;
  }
} finally {
  endpoint?.child.kill('SIGTERM');
  await app.close();
}
