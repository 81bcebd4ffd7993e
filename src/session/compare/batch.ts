import type { MlTarget } from '../../core/targets';
import type { RgbaImage } from '../../effects/image';
import { Engine } from '../../engine';
import { linkOf } from '../../ml/remote/link';
import { runBatch } from '../../perf/batch';
import { planBatch, type ItemTiming } from '../../perf/batch-plan';
import { STRATEGIES, STRATEGY_LABELS, type CompareCell, type CompareRow } from '../../perf/report';
import type { BatchEffect } from '../../perf/scenarios';
import { MAX_IN_FLIGHT, type Strategy } from '../../scheduler';
import { allows, type CompareRun } from './host';
import { withRecovery } from './recovery';

/** One image of a batch and its name (the results keep it). */
export interface BatchItem {
  name: string;
  image: RgbaImage;
}

/** The AI batch's photos, in the app and the triad command alike. */
export const BATCH_PHOTOS = ['astronaut-256.png', 'chelsea.png', 'washington.jpg'];

/**
 * `count` batch items from `photos` (decoded, in `BATCH_PHOTOS`' order): each cut into crops
 * (nine tenths of it, at shifting offsets), so no two items are the same picture.
 */
export function batchCrops(photos: readonly RgbaImage[], count: number): BatchItem[] {
  return Array.from({ length: count }, (_, i) => {
    const photo = photos[i % photos.length];
    const round = Math.floor(i / photos.length);
    const w = Math.max(1, Math.round(photo.width * 0.9));
    const h = Math.max(1, Math.round(photo.height * 0.9));
    const step = (round * 7) % 11;
    const x = Math.round(((photo.width - w) * step) / 10);
    const y = Math.round(((photo.height - h) * ((step * 3) % 11)) / 10);
    const data = new Uint8ClampedArray(w * h * 4);
    for (let row = 0; row < h; row++) {
      const from = ((y + row) * photo.width + x) * 4;
      data.set(photo.data.subarray(from, from + w * 4), row * w * 4);
    }
    const base = BATCH_PHOTOS[i % BATCH_PHOTOS.length].replace(/\.[^.]+$/, '');
    return {
      name: `${base}-${String(round + 1).padStart(2, '0')}.png`,
      image: { width: w, height: h, data },
    };
  });
}

/**
 * Runs the batch under each strategy on the ML targets it allows, all at once. Nothing else
 * renders while it is timed: a live 3D scene is held and a playing video paused (the scene
 * comes back after), since either would take the same cores and GPU.
 */
export async function measureBatch(
  run: CompareRun,
  scenario: string,
  items: BatchItem[],
  effect: BatchEffect,
  signal: AbortSignal,
): Promise<{ row: CompareRow; outputs: BatchItem[] }> {
  const { host, order, status } = run;
  const now = () => host.timers.now();
  const cells = {} as Record<Strategy, CompareCell>;
  let outputs: BatchItem[] = [];
  const resume = await host.quiet();
  try {
    for (const strategy of order) {
      const label = `${scenario}: ${STRATEGY_LABELS[strategy]}`;
      const targets = host.runner.targets.filter((t) => allows(strategy, t));
      const attempt = async (): Promise<CompareCell> => {
        if (targets.length === 0) throw new Error('no ML target this strategy allows is available');
        const run = (target: MlTarget, image: RgbaImage) =>
          host.runner.runOnCpu(effect, target, image, {}, host.env);
        // Warm-up: each target loads the model and runs it once (not timed).
        const ready: MlTarget[] = [];
        for (const t of targets) {
          status.running = `${label}: warming up ${t}`;
          await run(t, items[0].image).then(
            () => ready.push(t),
            () => {},
          );
        }
        if (ready.length === 0) throw new Error('every target failed to warm up');
        // One timed item per target (the endpoint's round trip apart): what the planner needs
        // to say how many items in flight pay, and where.
        const timings: ItemTiming[] = [];
        for (const t of ready) {
          status.running = `${label}: timing ${t}`;
          await host.runner.takeRoundTrips(effect, t); // the warm-up's round trips are not this item's
          const t0 = now();
          await run(t, items[1 % items.length].image);
          const ms = now() - t0;
          const trip = await host.runner.takeRoundTrips(effect, t);
          timings.push(
            trip
              ? {
                  target: t,
                  ms,
                  link: linkOf(trip),
                }
              : { target: t, ms },
          );
        }
        const { width, height } = items[0].image;
        const scale = effect === 'super-resolution-x2' ? 2 : 1;
        const budget = Math.min(MAX_IN_FLIGHT, Engine.framesWithinBudget(width, height, scale));
        // The scheduler's targets: an endpoint on this machine shares the cores of the CPU's.
        const plan = planBatch(timings, budget, host.scheduler(strategy).scheduler.targets);
        const finished: number[] = [];
        const t0 = now();
        const result = await runBatch(
          items,
          ready.map((t) => ({
            id: t,
            run: (item: BatchItem) => run(t, item.image),
            slots: plan.slots[t] ?? 0,
          })),
          {
            clock: now,
            tailAware: strategy === 'auto',
            signal,
            onItem: (done, total) => {
              finished.push(now());
              status.running = `${label}: ${done}/${total}`;
              status.progress = (order.indexOf(strategy) + done / total) / STRATEGIES.length;
            },
          },
        );
        outputs = items.map((item, i) => ({ name: item.name, image: result.outputs[i] }));
        const intervals = finished.map((t, i) => t - (i === 0 ? t0 : finished[i - 1]));
        return {
          rate: (items.length * 1000) / result.ms,
          count: items.length,
          ms: result.ms,
          intervals,
          inFlight: plan.inFlight,
          slots: plan.slots,
        };
      };
      cells[strategy] = await withRecovery(host, attempt, signal);
    }
  } finally {
    resume();
  }
  return { row: { scenario, unit: 'items/s', cells }, outputs };
}
