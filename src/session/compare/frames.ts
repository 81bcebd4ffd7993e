import type { FrameTiming } from '../../engine';
import { STRATEGIES, STRATEGY_LABELS, type CompareCell, type CompareRow } from '../../perf/report';
import { etaOf } from '../../perf/eta';
import { MIN_TIMED_FRAMES, WARMUP_SECONDS_FACTOR, WARMUP_WINDOWS } from '../../perf/scenarios';
import { warmUpStep } from '../../perf/warm-up';
import type { Scheduler, Strategy } from '../../scheduler';
import { allows, type CompareHost, type CompareRun } from './host';
import { withRecovery } from './recovery';

/** The frames a comparison runs: the same ones under every strategy. */
export interface FrameFeed {
  name: string;
  /** Back to the first frame. */
  restart(): Promise<void>;
  /** Makes the next frame the engine's source. */
  next(): Promise<void>;
  close(): Promise<void>;
}

/** Runs `feed` under each strategy: warm-up (and calibration), then the timed frames. */
export async function measureFrames(
  run: CompareRun,
  scenario: string,
  feed: FrameFeed,
  signal: AbortSignal,
  size: { frames: number; warmup: number; calibrationCap: number; seconds?: number },
): Promise<CompareRow> {
  const { host, order, status } = run;
  const now = () => host.timers.now();
  const cells = {} as Record<Strategy, CompareCell>;
  const eta = etaOf(order.length, now);
  status.etaS = null;
  /**
   * Starts the next frame (as many overlap as the host allows); resolves once it has taken its
   * source, with when it will be done.
   */
  const frame = async (strategy: Strategy): Promise<{ done: Promise<FrameTiming> }> => {
    signal.throwIfAborted();
    await host.frameSlot();
    await feed.next();
    const { done } = await host.startFrame();
    const timing = done.then((stats) => {
      if (!stats) throw new Error('the frame could not be rendered');
      const skipped = stats.ran.find((r) => r.skipped);
      if (skipped) throw new Error(`a stage could not run (${skipped.reason ?? skipped.stage})`);
      // A stage that ran outside the strategy's targets — its own failed, or none of them can
      // run it here (an AI stage under "GPU only" with no ML target on the GPU) — was not
      // lost, but that rate is not this strategy's.
      const outside = stats.ran.find((r) => !r.skipped && !allows(strategy, r.target));
      if (outside) {
        const effect = host.workload()?.stages.find((s) => s.id === outside.stage)?.effect;
        throw new Error(
          outside.failedOver
            ? `${STRATEGY_LABELS[strategy]} could not run ${effect ?? 'a stage'}: its own targets failed, and ${outside.target} is not one of them`
            : `${STRATEGY_LABELS[strategy]} has no target here that runs ${effect ?? 'a stage'} (it ran on ${outside.target})`,
        );
      }
      return stats.timing;
    });
    timing.catch(() => {}); // awaited below; a failure is the cell's error
    return { done: timing };
  };
  /**
   * Runs frames while `go(i)` says so (up to `count`), as many in flight as the host keeps (a
   * GPU-only frame's render resolves at submit: without the wait the queue would grow without
   * bound); `started` sees each frame's timing as it starts. Resolves with them all.
   */
  const frames = async (
    strategy: Strategy,
    count: number,
    go: (i: number) => boolean,
    started: (done: Promise<FrameTiming>) => void = () => {},
  ): Promise<FrameTiming[]> => {
    const timings: Promise<FrameTiming>[] = [];
    for (let i = 0; i < count && go(i); i++) {
      const done = (await frame(strategy)).done;
      timings.push(done);
      started(done);
      if (timings.length >= host.framesInFlight())
        await timings[timings.length - host.framesInFlight()];
    }
    return Promise.all(timings);
  };
  for (const strategy of order) {
    const label = `${scenario}: ${STRATEGY_LABELS[strategy]}`;
    eta.start();
    const attempt = () =>
      host.withMode(strategy, async (): Promise<CompareCell> => {
        const placer = host.scheduler(strategy);
        // Going back to the first frame is no time of the plan's (see `Scheduler.interrupted`).
        const restart = async () => {
          await feed.restart();
          placer.scheduler.interrupted();
        };
        await restart();
        // Until the plan is settled (calibrated, and Auto's trial of close plans done), at the
        // frames in flight the timed frames run: one at a time, Auto's trial timed plans at a
        // rate they would not run at, and a fixed strategy's prediction came from it.
        // Time-bounded runs bound this too, after the first frame (it loads what the chain needs).
        const w0 = now();
        const from = placer.scheduler.decisions;
        const warmMark = markOf(placer.scheduler);
        const warmUntil =
          size.seconds === undefined ? Infinity : w0 + WARMUP_SECONDS_FACTOR * size.seconds * 1000;
        let cut = false;
        const warmFinished: number[] = [];
        const warmed = await frames(
          strategy,
          size.warmup + size.calibrationCap,
          (i) => {
            const step = warmUpStep({
              i,
              warmup: size.warmup,
              settling: placer.scheduler.settling,
              timed: placer.scheduler.timedSince(from, WARMUP_WINDOWS),
              now: now(),
              until: warmUntil,
            });
            cut = step.cut;
            status.running = `${label}, warm-up ${i + 1}`;
            status.etaS = eta.left();
            return step.go;
          },
          (timing) => void timing.then(() => warmFinished.push(now())).catch(() => {}),
        );
        const warmup = {
          frames: warmed.length,
          ms: now() - w0,
          intervals: warmFinished.map((t, i) => t - (i === 0 ? w0 : warmFinished[i - 1])),
          ...warmMark.since(),
        };
        const unsettled = cut
          ? `The warm-up's ${Math.round(warmup.ms / 1000)} s ran out while the scheduler was still measuring targets or trying plans: these frames ran on a plan that could still have changed.`
          : undefined;
        await restart();
        const finished: number[] = [];
        // The plan is timed, not re-measuring: exploration costs ≤ 0.5% over time, but one
        // re-measure of a slow target inside a short timed run would count for 5–10% of it.
        // Off, it also stops Auto running again a plan it need not (a window on another plan).
        const explore = placer.scheduler.options.exploreShare;
        placer.scheduler.options.exploreShare = 0;
        // The prediction is made before its frames run (from what the scheduler knew then).
        const planned = planOf(host, strategy);
        const offBefore = { ...placer.scheduler.offPlan };
        const timedMark = markOf(placer.scheduler);
        const t0 = now();
        // Time-bounded: the frames or the seconds, whichever come first.
        const until = size.seconds === undefined ? Infinity : t0 + size.seconds * 1000;
        const done = await frames(
          strategy,
          size.frames,
          (i) => {
            if (i >= MIN_TIMED_FRAMES && now() >= until) return false;
            const share = Math.max(i / size.frames, (now() - t0) / (until - t0));
            status.running = `${label}, frame ${i + 1}/${size.frames}`;
            status.progress = (order.indexOf(strategy) + share) / STRATEGIES.length;
            status.etaS = eta.left();
            return true;
          },
          (timing) => void timing.then(() => finished.push(now())).catch(() => {}),
        ).finally(() => (placer.scheduler.options.exploreShare = explore));
        const ms = now() - t0;
        const offPlan = Object.fromEntries(
          Object.entries(placer.scheduler.offPlan).map(([k, v]) => [
            k,
            v - offBefore[k as keyof typeof offBefore],
          ]),
        ) as typeof offBefore;
        const intervals = finished.map((t, i) => t - (i === 0 ? t0 : finished[i - 1]));
        const scheduled = timedMark.since();
        const busyMs: Record<string, number> = {};
        for (const { busy } of done)
          for (const [k, v] of Object.entries(busy)) busyMs[k] = (busyMs[k] ?? 0) + v / done.length;
        const spanOf = (clean: boolean) => {
          const own = done.filter((t) => t.clean === clean);
          return own.length === 0
            ? null
            : own.reduce((sum, t) => sum + t.finishedAt - t.startedAt, 0) / own.length;
        };
        return {
          rate: (done.length * 1000) / ms,
          count: done.length,
          ms,
          intervals,
          busyMs,
          spanMs: { clean: spanOf(true), other: spanOf(false) },
          cleanFrames: done.filter((t) => t.clean).length,
          offPlan,
          ...scheduled,
          ...planned,
          warmup,
          ...(unsettled ? { unsettled } : {}),
        };
      });
    cells[strategy] = await withRecovery(host, attempt, signal);
    eta.done();
  }
  status.etaS = null;
  return { scenario, unit: 'fps', cells };
}

/** The strategy's prediction for the chain about to run, and its plan stage by stage. */
function planOf(host: CompareHost, strategy: Strategy): Pick<CompareCell, 'predicted' | 'plan'> {
  const work = host.workload();
  if (!work) return { predicted: null, plan: [] };
  const p = host.scheduler(strategy).predict(work.stages, work.pixels, strategy);
  return {
    predicted: p && {
      fps: p.fps,
      low: p.low,
      high: p.high,
      basis: p.basis,
      timedFps: p.timed?.fps ?? null,
      timedWeighed: p.timed
        ? {
            state: p.timed.state,
            trusted: p.timed.trusted,
            drift: p.timed.drift,
            framesAgo: p.timed.framesAgo,
          }
        : null,
    },
    plan: (p?.plan.stages ?? []).map((shares, i) => ({
      stage: work.stages[i]?.effect ?? `stage ${i}`,
      targets: shares
        .map((x) => `${x.target}${x.share < 1 ? ` ${Math.round(x.share * 100)}%` : ''}`)
        .join(' + '),
    })),
  };
}

/**
 * A mark in what `scheduler` did; `since()` says what it did after it: the placement changes it
 * logged (each stage by kind and position), the chains it was given, its plans' timing (windows
 * completed, restarts by why).
 */
function markOf(scheduler: Scheduler): {
  since(): Required<Pick<CompareCell, 'planChanges' | 'chainsSet' | 'timing'>>;
} {
  const last = scheduler.changes.at(-1);
  const chains = scheduler.chainsSet;
  const { windows, restarts } = scheduler.timing;
  const before = { windows, restarts: { ...restarts } };
  return {
    since() {
      const log = scheduler.changes;
      const after = { ...scheduler.timing.restarts };
      for (const k of Object.keys(after) as (keyof typeof after)[]) after[k] -= before.restarts[k];
      return {
        planChanges: log.slice(last ? log.indexOf(last) + 1 : 0).map((c) => ({
          stage: `${c.kind} (stage ${c.stage + 1})`,
          from: c.from,
          to: c.to,
          reason: c.reason,
        })),
        chainsSet: scheduler.chainsSet - chains,
        timing: { windows: scheduler.timing.windows - before.windows, restarts: after },
      };
    },
  };
}
