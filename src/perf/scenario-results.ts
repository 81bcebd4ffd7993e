// bench's results: a run of a scenario (its repeats, each a Compare row) as entries of the one
// benchmark shape. Shared by `npm run bench` (the browser, scripts/bench/scenarios.mjs) and
// `triad bench` (Node on Dawn), so both files say the same things the same way.
import { STRATEGIES, type CompareCell, type CompareRow } from './report';
import type { Strategy } from '../scheduler';

const FIXED = STRATEGIES.filter((s) => s !== 'auto');

/**
 * The strategies' order in each repeat: the rows of a Williams square, taken so that two repeats
 * are an order and its reverse (each strategy's mean slot the same under a steady drift) and four
 * put every strategy once in every slot and once after each other strategy (a slot or a
 * predecessor that slows the next strategy counts against each alike).
 */
const WILLIAMS = [
  [0, 1, 3, 2],
  [2, 3, 1, 0],
  [1, 2, 0, 3],
  [3, 0, 2, 1],
];

/** The strategies' order in repeat `repeat` (1-based). */
export const orderOf = (repeat: number): Strategy[] =>
  WILLIAMS[(repeat - 1) % WILLIAMS.length].map((i) => STRATEGIES[i]);

/** Counters now less the same counters before (a key new since counts from 0). */
export function countsSince(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** p50, p99 and count of some times (null when there are none). */
function summary(ms: readonly number[]) {
  return ms.length ? { p50: median(ms), p99: percentile(ms, 99), n: ms.length } : null;
}

/** One repeat of a run: the Compare row, and what the host saw of it. */
export interface MeasuredRepeat extends CompareRow {
  /** Auto's placement log at the end of the repeat (frame rows). */
  autoChanges?: unknown[];
  /** Per strategy: frames sent off the plan (probe, verify, explore). */
  offPlan?: Partial<Record<Strategy, Record<string, number>>>;
  /** Per strategy: those checks of a jumped estimate by stage kind and target. */
  verified?: Partial<Record<Strategy, Record<string, number>>>;
  /** Per strategy: the re-plans' times (ms) on the host's thread. */
  replanMs?: Partial<Record<Strategy, number[]>>;
  /** The page's tasks over 50 ms while the row ran (browser only). */
  longTasks?: { supported: boolean; count: number; longestMs: number; totalMs: number } | null;
}

/** A scenario measured at one frames-in-flight setting, one row per repeat. */
export interface MeasuredRun {
  inFlight: number;
  repeats: MeasuredRepeat[];
}

/**
 * One run's results: per strategy, the frame (or item) intervals over every repeat (median,
 * p95, n), each repeat's rate and their spread, what the scheduler predicted and the plan; then
 * Auto over the best fixed strategy, with how much it misses by and the run's own spread; then
 * the host's long tasks (where it measures them).
 */
export function resultsOf({ inFlight, repeats }: MeasuredRun): Record<string, unknown>[] {
  const first = repeats[0];
  const scenario = first.scenario;
  const frames = first.unit === 'fps';
  const out: Record<string, unknown>[] = [];
  const rateOf = {} as Record<Strategy, number | null>;
  const spreadOf = {} as Record<Strategy, number>;
  /** Per strategy and repeat: what it ran (see `ranOf`), and the repeat's rate. */
  const ranByRepeat = {} as Record<Strategy, { ran: string; rate: number }[]>;
  for (const strategy of STRATEGIES) {
    const cells = repeats.map((r) => r.cells[strategy]);
    const ok = cells.filter((c) => c.rate !== null);
    const intervals = ok.flatMap((c) => c.intervals ?? []);
    const rates = ok.map((c) => c.rate!);
    const rate = rates.length ? median(rates) : null;
    const spread = rate && rates.length > 1 ? (Math.max(...rates) - Math.min(...rates)) / rate : 0;
    rateOf[strategy] = rate;
    spreadOf[strategy] = spread;
    ranByRepeat[strategy] = ok.map((c) => ({ ran: ranOf(c, frames), rate: c.rate! }));
    const predicted = frames ? ok.map((c) => c.predicted?.fps).filter((v): v is number => !!v) : [];
    const predictedFps = predicted.length ? median(predicted) : null;
    const last = ok.at(-1);
    out.push({
      case: `${scenario} / ${strategy}`,
      scenario,
      strategy,
      inFlight: frames ? inFlight : null,
      metric: frames ? 'frame interval' : 'item interval',
      unit: 'ms',
      median: intervals.length ? median(intervals) : null,
      p95: intervals.length ? percentile(intervals, 95) : null,
      n: intervals.length,
      rateUnit: first.unit,
      rate,
      rates,
      spread,
      predictedFps,
      predictedRange: last?.predicted ? [last.predicted.low, last.predicted.high] : null,
      predictedOverMeasured: predictedFps && rate ? predictedFps / rate : null,
      // Per repeat: predicted (just before its frames) over what they then measured, and whether
      // the prediction was the model's or scaled by what the plan measured before.
      predictedOverMeasuredByRepeat: frames
        ? ok.map((c) => (c.predicted ? c.predicted.fps / c.rate! : null))
        : [],
      predictedBasis: frames ? ok.map((c) => c.predicted?.basis ?? null) : [],
      // Per repeat: the rate of the plan's last timed window before its frames (what `basis`
      // weighed) over what they then measured (null: the plan was never timed); warm-up frames.
      timedOverMeasuredByRepeat: frames
        ? ok.map((c) => (c.predicted?.timedFps ? c.predicted.timedFps / c.rate! : null))
        : [],
      // Per repeat: how that window was weighed (a prediction on the model's word though the
      // plan was timed: `state` unmeasured, not `trusted`, or the model's view `drift`ed).
      timedWeighedByRepeat: frames ? ok.map((c) => c.predicted?.timedWeighed ?? null) : [],
      warmupFramesByRepeat: frames ? ok.map((c) => c.warmup?.frames ?? null) : [],
      warmupPlanChangesByRepeat: frames ? ok.map((c) => c.warmup?.planChanges ?? null) : [],
      plan: last?.plan ?? null,
      // A batch: items in flight (the planner's recommendation) and each target's slots.
      itemsInFlight: last?.inFlight ?? null,
      slots: last?.slots ?? null,
      error: cells.find((c) => c.error)?.error,
      // Per repeat: frames sent off the plan (probe, verify, explore), warm-up included, and
      // of the timed frames alone; re-plans' host time.
      offPlanByRepeat: repeats.map((r) => r.offPlan?.[strategy] ?? null),
      offPlanTimedByRepeat: frames ? cells.map((c) => c.offPlan ?? null) : [],
      // Per repeat: which estimates the checks (`verify`) were of, warm-up included.
      verifiedByRepeat: repeats.map((r) => r.verified?.[strategy] ?? null),
      // Per repeat: the plan changes made while the timed frames ran (their prediction was for
      // the plan before the first).
      planChangesTimedByRepeat: frames ? cells.map((c) => c.planChanges ?? null) : [],
      // Per repeat: chains set on the strategy's scheduler in the warm-up and while timed.
      chainsSetByRepeat: frames
        ? ok.map((c) => ({ warmup: c.warmup?.chainsSet ?? null, timed: c.chainsSet ?? null }))
        : [],
      // Per repeat: the plan's timing windows completed and restarted (by why), in the warm-up
      // and while timed — a plan never timed in its warm-up is predicted on the model's word.
      planTimingByRepeat: frames
        ? ok.map((c) => ({ warmup: c.warmup?.timing ?? null, timed: c.timing ?? null }))
        : [],
      // Per repeat: the warm-up's time between results (ms): its last windows are the prediction.
      warmupIntervalsMsByRepeat: frames ? ok.map((c) => c.warmup?.intervals ?? null) : [],
      // Per repeat: the timed frames' own intervals (ms), beside the warm-up's: a step between
      // the two, or a trend inside the timed frames, is what a prediction could not see.
      timedIntervalsMsByRepeat: frames ? ok.map((c) => c.intervals ?? null) : [],
      // Per repeat: each target's time per timed frame (ms), as the engine measured it.
      busyMsByRepeat: frames ? cells.map((c) => c.busyMs ?? null) : [],
      // Per repeat: a timed frame's mean span (ms), timed cleanly (what the model learns from)
      // and not: what clean timing's waits cost a frame.
      spanMsByRepeat: frames ? cells.map((c) => c.spanMs ?? null) : [],
      // Per repeat: how many timed frames were timed cleanly (one in ten, and checks that need it).
      cleanFramesTimedByRepeat: frames ? cells.map((c) => c.cleanFrames ?? null) : [],
      replanMs: summary(repeats.flatMap((r) => r.replanMs?.[strategy] ?? [])),
      // Auto's placement log at the end of each repeat (frame rows): the plans it tried and why.
      ...(strategy === 'auto' && frames
        ? { changes: repeats.map((r) => r.autoChanges ?? []) }
        : {}),
    });
  }
  out.push(
    versusFixed(scenario, frames ? inFlight : null, repeats.length, rateOf, spreadOf, ranByRepeat),
  );
  // The host's responsiveness while the row ran (all four strategies, warm-up included): tasks
  // that held its thread over 50 ms (the Long Tasks API), per repeat. The browser only.
  const tasks = repeats
    .map((r) => r.longTasks)
    .filter((t): t is NonNullable<typeof t> => !!t?.supported);
  if (tasks.length === 0) return out;
  const longest = tasks.map((t) => t.longestMs);
  out.push({
    case: `${scenario}: long tasks`,
    scenario,
    inFlight: frames ? inFlight : null,
    metric: 'longest main-thread task',
    unit: 'ms',
    median: median(longest),
    p95: Math.max(...longest),
    n: tasks.length,
    countByRepeat: tasks.map((t) => t.count),
    longestMsByRepeat: longest,
    totalMsByRepeat: tasks.map((t) => Math.round(t.totalMs)),
  });
  return out;
}

/**
 * What a strategy ran in a repeat, as a key two runs of the same work compare equal by: the plan
 * stage by stage (frames), or the items in flight and each target's slots (a batch, which has no
 * stage plan: its \`plan\` is empty under every strategy).
 */
function ranOf(cell: CompareCell, frames: boolean): string {
  return JSON.stringify(
    frames ? (cell.plan ?? null) : { inFlight: cell.inFlight, slots: cell.slots },
  );
}

/**
 * Auto over the best fixed strategy (by their median rates), how much it misses by and the larger
 * of the two's spreads between repeats; and, where fixed strategies ran Auto's very plan, that
 * plan's rate as they measured it, all their repeats pooled (their median). Two fixed strategies
 * on one plan are two noisy measurements of it: the larger of them is biased above the plan's
 * rate, and Auto, on the same plan, falls below it about half the time by noise alone (in the
 * browser, 3D: both accelerator strategies put super-resolution on the endpoint).
 */
function versusFixed(
  scenario: string,
  inFlight: number | null,
  n: number,
  rateOf: Record<Strategy, number | null>,
  spreadOf: Record<Strategy, number>,
  ranByRepeat: Record<Strategy, { ran: string; rate: number }[]>,
): Record<string, unknown> {
  const fixed = FIXED.filter((s) => rateOf[s] !== null);
  const best = fixed.reduce<Strategy | undefined>(
    (a, b) => (a === undefined || rateOf[b]! > rateOf[a]! ? b : a),
    undefined,
  );
  const ratio = rateOf.auto && best ? rateOf.auto / rateOf[best]! : null;
  const missesBy = ratio !== null && ratio < 1 ? 1 - ratio : 0;
  const spread = Math.max(spreadOf.auto, best ? spreadOf[best] : 0);
  // What Auto ran in its last repeat; the fixed strategies' repeats that ran the same.
  const autoRan = ranByRepeat.auto.at(-1)?.ran;
  const samePlanAsBestFixed = best !== undefined && ranByRepeat[best].at(-1)?.ran === autoRan;
  const pooled = fixed.flatMap((s) => ranByRepeat[s].filter((r) => r.ran === autoRan));
  const samePlanRate = pooled.length ? median(pooled.map((r) => r.rate)) : null;
  return {
    case: `${scenario}: Auto / best fixed`,
    scenario,
    inFlight,
    metric: 'Auto over the best fixed strategy',
    unit: 'ratio',
    median: ratio,
    p95: ratio,
    n,
    autoOverBestFixed: ratio,
    bestFixed: best ?? null,
    missesBy,
    spread,
    // Whether Auto ended on the best fixed strategy's plan (then a miss is what else Auto did:
    // trials, frames sent off the plan, re-plans; or the machine's noise).
    samePlanAsBestFixed,
    // The fixed strategies that ran Auto's plan, and that plan's rate over all their repeats.
    samePlanFixed: fixed.filter((s) => ranByRepeat[s].some((r) => r.ran === autoRan)),
    samePlanRepeats: pooled.length,
    samePlanRate,
    autoOverSamePlan: rateOf.auto && samePlanRate ? rateOf.auto / samePlanRate : null,
    verdict:
      ratio === null
        ? null
        : ratio >= 1
          ? 'at or above'
          : samePlanAsBestFixed && missesBy <= spread
            ? 'same plan, within the spread'
            : 'below',
  };
}

/** The panel's goal for a prediction: within this fraction of what its frames then measured. */
export const PREDICTION_GOAL = 0.15;

/**
 * How one run's predictions held: every timed repeat's predicted over measured fps (median, p95,
 * n), how many were within `PREDICTION_GOAL`, and each miss with its cell's spread between
 * repeats (a cell whose own repeats differ by 20% cannot be predicted within 15% of both from the
 * frames before them). Null when the run predicted nothing (a batch only).
 */
export function predictionsOf(results: Record<string, unknown>[]): Record<string, unknown> | null {
  const ratios: number[] = [];
  const misses: Record<string, unknown>[] = [];
  for (const r of results) {
    const byRepeat = r.predictedOverMeasuredByRepeat as (number | null)[] | undefined;
    const basis = (r.predictedBasis as (string | null)[] | undefined) ?? [];
    (byRepeat ?? []).forEach((ratio, i) => {
      if (ratio === null) return;
      ratios.push(ratio);
      if (Math.abs(ratio - 1) > PREDICTION_GOAL)
        misses.push({
          case: r.case,
          inFlight: r.inFlight,
          nth: i + 1,
          predictedOverMeasured: ratio,
          basis: basis[i] ?? null,
          spread: r.spread,
        });
    });
  }
  if (ratios.length === 0) return null;
  return {
    case: 'predictions',
    metric: 'predicted over measured fps',
    unit: 'ratio',
    median: median(ratios),
    p95: percentile(ratios, 95),
    n: ratios.length,
    goal: PREDICTION_GOAL,
    within: ratios.length - misses.length,
    misses,
  };
}
