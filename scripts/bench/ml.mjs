// npm run bench:ml — each converted model on each available ML target and input size: the first
// inference (session compile and warm-up) apart from the steady state (median/p95 of RUNS more, 5
// by default: the software adapters are slow); the Background blur stage with its pre/post on
// either side; and how long a GPU runtime is out after a loss of its own device (LOSSES, 3).
// Writes bench-results/ml.json.
import { openApp, percentile, report } from './harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CASES = [
  { model: 'esrgan-slim-x2', size: [64, 64], scale: 1, image: 'chelsea.png' },
  { model: 'esrgan-slim-x2', size: [128, 128], scale: 1, image: 'chelsea.png' },
  { model: 'esrgan-slim-x4', size: [64, 64], scale: 1, image: 'chelsea.png' },
  { model: 'selfie-segmentation', size: [256, 256], scale: 1 / 255, image: 'astronaut-256.png' },
];

const app = await openApp();
try {
  const { page, environment } = app;
  const targets = await page.evaluate(() => window.__triad.mlAvailability());
  environment.mlTargets = targets;
  const results = [];
  for (const [target, state] of Object.entries(targets)) {
    if (!state.available) {
      console.log(`${target}: not available (${state.detail})`);
      continue;
    }
    for (const c of CASES) {
      const run = await page.evaluate((req) => window.__triad.mlRun(req), {
        model: c.model,
        target,
        imageUrl: `/__fixtures/${c.image}`,
        size: c.size,
        scale: c.scale,
        runs: RUNS,
        timesOnly: true,
      });
      const name = `${c.model} ${c.size.join('×')} on ${target}`;
      results.push({
        case: name,
        metric: 'inference time',
        unit: 'ms',
        median: percentile(run.steadyMs, 50),
        p95: percentile(run.steadyMs, 95),
        n: run.steadyMs.length,
        firstInferenceMs: run.firstRunMs,
      });
      console.log(
        `${name}: first ${run.firstRunMs.toFixed(0)} ms, then ${percentile(run.steadyMs, 50).toFixed(1)} ms`,
      );
    }
  }
  // AI effects in the chain: the whole stage (pre-processing, inference, composite) with the
  // frame on the GPU (WGSL pre/post; only the model input is read back) and in CPU memory (CPU twins).
  const FRAME = [1280, 720];
  for (const [target, state] of Object.entries(targets)) {
    if (!state.available) continue;
    const request = { imageUrl: '/__fixtures/astronaut-256.png', size: FRAME, warmup: 1 };
    const frames = Math.max(2, Math.min(RUNS, 5));
    const gpuSide = await page.evaluate((req) => window.__triad.bench(req), {
      ...request,
      frames,
      stages: [{ effect: 'background-blur', target }],
    });
    const cpuSide = await page.evaluate((req) => window.__triad.mlBenchCpu(req), {
      ...request,
      frames,
      effect: 'background-blur',
      target,
    });
    for (const [side, ms] of [
      ['GPU pre/post', gpuSide.ms],
      ['CPU pre/post', cpuSide.ms],
    ]) {
      const name = `background blur ${FRAME.join('×')} on ${target}, ${side}`;
      results.push({
        case: name,
        metric: 'stage time',
        unit: 'ms',
        median: percentile(ms, 50),
        p95: percentile(ms, 95),
        n: ms.length,
      });
      console.log(`${name}: ${percentile(ms, 50).toFixed(1)} ms`);
    }
  }
  // A loss of a GPU runtime's own device (in its worker; the app's is not touched): from the loss
  // until a frame's AI stage runs on that runtime again (a fresh worker, a new device, the model
  // loaded and its pipelines compiled again), frames rendered back to back meanwhile.
  const LOSSES = Number(process.env.BENCH_LOSSES ?? 3);
  await page.evaluate(() => window.__triad.setSyntheticImage(256, 256));
  for (const [target, lose] of [
    ['ort-webgpu', 'loseOrtWebGpuDevice'],
    ['tfjs-webgpu', 'loseTfjsDevice'],
  ]) {
    if (!targets[target]?.available) continue;
    const outs = await page.evaluate(
      async ([target, lose, losses]) => {
        const api = window.__triad;
        const stage = { effect: 'show-mask', enabled: true, target, params: {} };
        api.setChain(JSON.stringify({ v: 1, stages: [stage] }));
        const onTarget = async () => {
          const ran = (await api.renderNow())?.ran[0];
          return !!ran && !ran.skipped && ran.target === target;
        };
        // The model loaded first: a runtime that never ran the stage has nothing to come back to.
        let loaded = false;
        for (let i = 0; i < 60 && !loaded; i++) loaded = await onTarget();
        if (!loaded) return null;
        const outs = [];
        for (let k = 0; k < losses; k++) {
          const t0 = api.now();
          await api[lose]();
          let frames = 1;
          while (!(await onTarget()) && frames < 300) frames++;
          outs.push(frames < 300 ? { ms: api.now() - t0, frames } : null);
        }
        return outs;
      },
      [target, lose, LOSSES],
    );
    if (!outs) {
      console.log(`${target}: the stage never ran on it, so no loss was timed`);
      continue;
    }
    const back = outs.filter((o) => o !== null);
    const ms = back.map((o) => o.ms);
    const name = `${target} back after a loss of its own device`;
    results.push({
      case: name,
      metric: 'time until a frame ran on it again',
      unit: 'ms',
      median: ms.length ? percentile(ms, 50) : null,
      p95: ms.length ? percentile(ms, 95) : null,
      n: ms.length,
      losses: outs.length,
      neverBack: outs.length - back.length,
      framesUntilBack: back.map((o) => o.frames),
    });
    console.log(`${name}: ${ms.map((v) => v.toFixed(0)).join(', ')} ms`);
  }
  report('ml', environment, results);
} finally {
  await app.close();
}
