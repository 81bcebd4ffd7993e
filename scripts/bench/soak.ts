// npm run soak: the chaos test's long version. A clip plays through a GPU, a CPU and an AI stage,
// first for SOAK_QUIET_MINUTES (default 10) with nothing failing (a leak that a device loss lets
// go of hides behind the losses: the frame loop's did for a whole session), then for SOAK_MINUTES
// (default 30) while the GPU device is lost every SOAK_LOSS_EVERY seconds (default 20); every
// minute the page's memory is sampled (JS heap after a collection, live GPU
// buffers and textures, VideoFrames, ML tensors). The AI stage runs on SOAK_AI_TARGET (default
// ort-wasm; ort-webgpu and tfjs-webgpu run the model in a worker on a device of its own, which a
// loss of the app's device does not touch). Writes
// bench-results/soak.json in the one benchmark shape: each level's first and last sample and its
// growth, how soon frames flowed again after each loss, and how long each part (the device,
// frames, the AI target) was out by the app's own recovery log.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { api, heapUsage, liveObjects } from '../../e2e/support/api';
import type { OutageEvent } from '../../src/session/outages';
import { chaosChain, runChaos } from '../../e2e/support/chaos';
import { openApp, percentile, report } from './harness.mjs';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const LOSS_EVERY = Number(process.env.SOAK_LOSS_EVERY ?? 20);
const QUIET_MINUTES = Number(process.env.SOAK_QUIET_MINUTES ?? 10);
const AI_TARGET = process.env.SOAK_AI_TARGET ?? 'ort-wasm';
/** A folder for a heap snapshot at every sample (to find what grows: compare two of them). */
const SNAPSHOTS = process.env.SOAK_SNAPSHOTS;
const CLIP = fileURLToPath(new URL('../../e2e/fixtures/realshort.mp4', import.meta.url));

interface Sample {
  minute: number;
  jsHeapMB: number;
  /**
   * ArrayBuffers' contents (outside the JS heap: pixels, tensors). A leak of results shows here
   * first: every mask ort-wasm made was kept, 1.7 GB in five minutes, the JS heap +2 MB.
   */
  backingStoreMB: number;
  liveBuffers: number;
  liveTextures: number;
  videoFrames: number;
  /** VideoFrame objects held at all, open or closed (closed but reachable: a leak). */
  videoFrameObjects: number;
  ortTensors: number;
  /** Tensors alive in tfjs-webgpu's worker (the model's weights when it runs there). */
  tfjsTensors: number;
}

async function sample(page: Page, minute: number): Promise<Sample> {
  const heap = await heapUsage(page);
  if (SNAPSHOTS) await snapshot(page, `${SNAPSHOTS}/minute-${minute}.heapsnapshot`);
  const [memory, video] = [await api(page).mlMemory(), await api(page).videoState()];
  return {
    minute,
    jsHeapMB: heap.jsHeapMB,
    backingStoreMB: heap.arrayBuffersMB,
    liveBuffers: memory.liveBuffers,
    liveTextures: memory.liveTextures,
    videoFrames: video.liveFrames,
    videoFrameObjects: await liveObjects(page, 'VideoFrame'),
    ortTensors: memory.ortTensors,
    tfjsTensors: memory.tfjsTensors,
  };
}

async function snapshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    await cdp.detach();
  }
  writeFileSync(path, chunks.join(''));
}

/** The recovery log keeps its latest 200 steps: gathered at every sample so none is missed. */
const outages = new Map<string, OutageEvent>();
async function gatherOutages(page: Page): Promise<void> {
  for (const e of await api(page).recoveryLog()) outages.set(`${e.at} ${e.part} ${e.event}`, e);
}

/** Per part of the machine: how many outages ended, and how long they lasted (s). */
function outageResults() {
  const byPart = new Map<string, number[]>();
  for (const e of outages.values()) {
    if (e.event !== 'back' || e.outMs === undefined) continue;
    byPart.set(e.part, [...(byPart.get(e.part) ?? []), e.outMs / 1000]);
  }
  const stillOut = (part: string) =>
    [...outages.values()].filter((e) => e.part === part && e.event === 'lost').length -
    (byPart.get(part)?.length ?? 0);
  return [...byPart].map(([part, seconds]) => ({
    case: 'outage',
    metric: part,
    unit: 's',
    median: percentile(seconds, 50),
    p95: percentile(seconds, 95),
    n: seconds.length,
    max: Math.max(...seconds),
    over2s: seconds.filter((s) => s > 2).length,
    neverBack: stillOut(part),
  }));
}

/** Each level's samples, and its growth from a phase's first minute to its end. */
function levels(phase: string, samples: Sample[]) {
  const first = samples[1] ?? samples[0]; // after a minute: warm caches are not growth
  const last = samples.at(-1)!;
  const metrics = {
    jsHeapMB: 'MB',
    backingStoreMB: 'MB',
    liveBuffers: 'buffers',
    liveTextures: 'textures',
    videoFrames: 'frames',
    videoFrameObjects: 'objects',
    ortTensors: 'tensors',
    tfjsTensors: 'tensors',
  } as const;
  return Object.entries(metrics).map(([metric, unit]) => {
    const key = metric as keyof typeof metrics;
    const values = samples.map((s) => s[key]);
    return {
      case: `soak ${phase}`,
      metric,
      unit,
      median: percentile(values, 50),
      p95: percentile(values, 95),
      n: values.length,
      first: first[key],
      last: last[key],
      growthPct: first[key] === 0 ? 0 : ((last[key] - first[key]) / first[key]) * 100,
    };
  });
}

/**
 * Plays for `minutes`, losing the device every `lossEvery` s (0: never), sampling memory every
 * minute (playback paused for the moment: a frame being decoded is not a leak).
 */
async function phase(page: Page, name: string, minutes: number, lossEvery: number) {
  console.log(
    `soak ${name}: ${minutes} min of playback (AI stage on ${AI_TARGET})` +
      (lossEvery ? `, a device loss every ${lossEvery} s` : ''),
  );
  const samples: Sample[] = [await sample(page, 0)];
  const chaos = await runChaos(page, {
    seconds: minutes * 60,
    loseDeviceEvery: lossEvery,
    firstLossAt: lossEvery / 2, // losses between the minute marks: samples see a settled page
    sampleEvery: 60,
    sample: async (s) => {
      await api(page).videoPause();
      samples.push(await sample(page, Math.round(s / 60)));
      await gatherOutages(page);
      await api(page).videoPlay();
      console.log(`soak ${name}: ${JSON.stringify(samples.at(-1))}`);
    },
  });
  await api(page).videoPause();
  samples.push(await sample(page, minutes));
  await gatherOutages(page);
  const errors = {
    stoppedSamples: chaos.stoppedSamples,
    pageErrors: chaos.errors.length,
    pageErrorMessages: [...new Set(chaos.errors)].slice(0, 5),
  };
  if (!lossEvery)
    return [
      ...levels(name, samples),
      {
        case: `playback ${name}`,
        metric: 'stoppedSamples',
        unit: 'samples',
        median: chaos.stoppedSamples,
        p95: chaos.stoppedSamples,
        n: chaos.samples,
        ...errors,
      },
    ];
  const resumed = chaos.faults.flatMap((f) => (f.resumedAfterS === null ? [] : [f.resumedAfterS]));
  return [
    ...levels(name, samples),
    {
      case: `recovery ${name}`,
      metric: 'framesAgainAfterLoss',
      unit: 's',
      median: resumed.length ? percentile(resumed, 50) : null,
      p95: resumed.length ? percentile(resumed, 95) : null,
      n: resumed.length,
      losses: chaos.faults.length,
      neverResumed: chaos.faults.length - resumed.length,
      ...errors,
    },
  ];
}

const { page, environment, close } = await openApp();
try {
  await api(page).setChain(chaosChain(AI_TARGET));
  await api(page).openFile('realshort.mp4', Array.from(readFileSync(CLIP)), 'video/mp4');
  while ((await api(page).videoState()).opened === 0) await page.waitForTimeout(100);
  const quiet = QUIET_MINUTES > 0 ? await phase(page, 'without losses', QUIET_MINUTES, 0) : [];
  const lossy = MINUTES > 0 ? await phase(page, 'with losses', MINUTES, LOSS_EVERY) : [];
  const video = await api(page).videoState();
  report(
    'soak',
    {
      ...environment,
      settings: {
        quietMinutes: QUIET_MINUTES,
        minutes: MINUTES,
        lossEvery: LOSS_EVERY,
        aiTarget: AI_TARGET,
      },
    },
    [
      ...quiet,
      ...lossy,
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
      ...outageResults(),
    ],
  );
} finally {
  await close();
}
