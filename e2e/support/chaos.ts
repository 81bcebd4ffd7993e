import type { Page } from '@playwright/test';
import { api } from './api';

/** The chaos runs' chain: a GPU, a CPU and an AI stage (the AI one on `aiTarget`). */
export function chaosChain(aiTarget: string): string {
  return JSON.stringify({
    v: 1,
    stages: [
      { effect: 'invert', enabled: true, target: 'gpu', params: {} },
      { effect: 'colour-adjust', enabled: true, target: 'cpu', params: { saturation: 30 } },
      { effect: 'show-mask', enabled: true, target: aiTarget, params: {} },
    ],
  });
}

/** What a chaos run does, and how often (seconds; 0 or absent: never). */
export interface ChaosPlan {
  seconds: number;
  /** A GPU device loss every this many seconds (the first at `firstLossAt`, default the same). */
  loseDeviceEvery?: number;
  firstLossAt?: number;
  /** A CPU worker crash every this many seconds. */
  crashWorkerEvery?: number;
  /** The endpoint killed and started again every this many seconds (`restartEndpoint`). */
  restartEndpointEvery?: number;
  restartEndpoint?: () => Promise<void>;
  /** Called every `sampleEvery` seconds (the soak samples memory there). */
  sample?: (elapsedS: number) => Promise<void>;
  sampleEvery?: number;
}

/** One fault and how long until frames were shown again (measured here, reported, not judged). */
export interface Fault {
  kind: 'device loss' | 'worker crash' | 'endpoint restart';
  atS: number;
  /** Seconds until two more frames were shown (null: not before the next fault or the end). */
  resumedAfterS: number | null;
  /** Seconds the injection itself took (an endpoint restart: until the new one listens). */
  injectS?: number;
  /** Frames shown while the fault was being injected (the page does not wait for it). */
  shownDuringInjection?: number;
}

export interface ChaosReport {
  faults: Fault[];
  /** Times playback was seen stopped (sampled every 250 ms). */
  stoppedSamples: number;
  samples: number;
  errors: string[];
}

/**
 * Plays the open video (looping) while faults are injected on a schedule; samples whether it is
 * playing and how soon frames flow again after each fault. Uncaught page errors are collected.
 */
export async function runChaos(page: Page, plan: ChaosPlan): Promise<ChaosReport> {
  const errors: string[] = [];
  const onError = (error: Error) => errors.push(error.message);
  page.on('pageerror', onError);
  await api(page).videoPlay();
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  const faults: Fault[] = [];
  const next = {
    loss: (plan.loseDeviceEvery && plan.firstLossAt) || plan.loseDeviceEvery || Infinity,
    crash: plan.crashWorkerEvery || Infinity,
    endpoint: plan.restartEndpointEvery || Infinity,
    sample: plan.sampleEvery || Infinity,
  };
  const watch: { current: { fault: Fault; shown: number } | null } = { current: null };
  let stoppedSamples = 0;
  let samples = 0;
  const inject = async (kind: Fault['kind'], run: () => Promise<unknown>) => {
    const fault: Fault = { kind, atS: elapsed(), resumedAfterS: null };
    faults.push(fault);
    const shown = (await api(page).videoState()).shown;
    watch.current = { fault, shown };
    await run();
    fault.injectS = elapsed() - fault.atS;
    fault.shownDuringInjection = (await api(page).videoState()).shown - shown;
  };
  try {
    while (elapsed() < plan.seconds) {
      const t = elapsed();
      if (t >= next.loss) {
        next.loss += plan.loseDeviceEvery!;
        await inject('device loss', () => api(page).loseDevice());
      }
      if (t >= next.crash) {
        next.crash += plan.crashWorkerEvery!;
        await inject('worker crash', () => api(page).crashCpuWorker());
      }
      if (t >= next.endpoint && plan.restartEndpoint) {
        next.endpoint += plan.restartEndpointEvery!;
        await inject('endpoint restart', plan.restartEndpoint);
      }
      if (t >= next.sample && plan.sample) {
        next.sample += plan.sampleEvery!;
        await plan.sample(t);
      }
      const video = await api(page).videoState();
      samples++;
      if (!video.playing) stoppedSamples++;
      const watching = watch.current;
      if (watching && video.shown >= watching.shown + 2) {
        watching.fault.resumedAfterS = elapsed() - watching.fault.atS;
        watch.current = null;
      }
      await page.waitForTimeout(250);
    }
  } finally {
    page.off('pageerror', onError);
  }
  return { faults, stoppedSamples, samples, errors };
}
