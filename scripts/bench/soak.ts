// npm run soak: the chaos test's long version. A clip plays for SOAK_MINUTES (default 30) through
// a GPU, a CPU and an AI stage while the GPU device is lost every SOAK_LOSS_EVERY seconds
// (default 20); every minute the page's memory is sampled (JS heap after a collection, live GPU
// buffers and textures, VideoFrames, ML tensors). Writes bench-results/soak.json in the one
// benchmark shape: each level's first and last sample and its growth, and how soon frames
// flowed again after each loss.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { api } from '../../e2e/support/api';
import { chaosChain, runChaos } from '../../e2e/support/chaos';
import { openApp, percentile, report } from './harness.mjs';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const LOSS_EVERY = Number(process.env.SOAK_LOSS_EVERY ?? 20);
const CLIP = fileURLToPath(new URL('../../e2e/fixtures/realshort.mp4', import.meta.url));

interface Sample {
  minute: number;
  jsHeapMB: number;
  liveBuffers: number;
  liveTextures: number;
  videoFrames: number;
  ortTensors: number;
}

async function sample(page: Page, minute: number): Promise<Sample> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    const [memory, video] = [await api(page).mlMemory(), await api(page).videoState()];
    return {
      minute,
      jsHeapMB: heap.usedSize / 2 ** 20,
      liveBuffers: memory.liveBuffers,
      liveTextures: memory.liveTextures,
      videoFrames: video.liveFrames,
      ortTensors: memory.ortTensors,
    };
  } finally {
    await cdp.detach();
  }
}

const { page, environment, close } = await openApp();
try {
  await api(page).setChain(chaosChain('ort-wasm'));
  await api(page).openFile('realshort.mp4', Array.from(readFileSync(CLIP)), 'video/mp4');
  while ((await api(page).videoState()).opened === 0) await page.waitForTimeout(100);
  console.log(`soak: ${MINUTES} min of playback, a device loss every ${LOSS_EVERY} s`);
  const samples: Sample[] = [await sample(page, 0)];
  const chaos = await runChaos(page, {
    seconds: MINUTES * 60,
    loseDeviceEvery: LOSS_EVERY,
    firstLossAt: LOSS_EVERY / 2, // losses between the minute marks: samples see a settled page
    sampleEvery: 60,
    sample: async (s) => {
      // Read between frames: paused for the moment (a frame being decoded is not a leak).
      await api(page).videoPause();
      samples.push(await sample(page, Math.round(s / 60)));
      await api(page).videoPlay();
      console.log(`soak: ${JSON.stringify(samples.at(-1))}`);
    },
  });
  await api(page).videoPause();
  samples.push(await sample(page, MINUTES));
  const video = await api(page).videoState();
  const first = samples[1] ?? samples[0]; // after a minute: warm caches are not growth
  const last = samples.at(-1)!;
  const level = (metric: keyof Sample, unit: string) => {
    const values = samples.map((s) => s[metric]);
    return {
      case: 'soak',
      metric,
      unit,
      median: percentile(values, 50),
      p95: percentile(values, 95),
      n: values.length,
      first: first[metric],
      last: last[metric],
      growthPct: first[metric] === 0 ? 0 : ((last[metric] - first[metric]) / first[metric]) * 100,
    };
  };
  const resumed = chaos.faults.flatMap((f) => (f.resumedAfterS === null ? [] : [f.resumedAfterS]));
  report('soak', { ...environment, settings: { minutes: MINUTES, lossEvery: LOSS_EVERY } }, [
    level('jsHeapMB', 'MB'),
    level('liveBuffers', 'buffers'),
    level('liveTextures', 'textures'),
    level('videoFrames', 'frames'),
    level('ortTensors', 'tensors'),
    {
      case: 'recovery',
      metric: 'framesAgainAfterLoss',
      unit: 's',
      median: percentile(resumed, 50),
      p95: percentile(resumed, 95),
      n: resumed.length,
      losses: chaos.faults.length,
      neverResumed: chaos.faults.length - resumed.length,
      stoppedSamples: chaos.stoppedSamples,
      pageErrors: chaos.errors.length,
    },
    {
      case: 'frames',
      metric: 'accounted',
      unit: 'frames',
      median: video.decoded,
      p95: video.decoded,
      n: 1,
      decoded: video.decoded,
      shown: video.shown,
      dropped: video.dropped,
      dropReasons: video.dropReasons,
    },
  ]);
} finally {
  await close();
}
