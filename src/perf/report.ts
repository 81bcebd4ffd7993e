import { STRATEGIES, STRATEGY_LABELS, type Strategy } from '../core/strategies';

export { STRATEGIES, STRATEGY_LABELS };

export type RateUnit = 'fps' | 'items/s';

/** One scenario under one strategy: the rate measured, or why there is none. */
export interface CompareCell {
  /** Frames (or items) per second over the timed run; null when it could not run. */
  rate: number | null;
  /** Frames or items timed (warm-up excluded) and the time they took (ms). */
  count: number;
  ms: number;
  error?: string;
  /** Set when the strategy's run was interrupted (a GPU device loss) and measured again. */
  remeasured?: string;
  /**
   * Set when the warm-up's time ran out while the scheduler was still measuring targets or
   * trying plans: the frames were timed on a plan that might still have changed.
   */
  unsettled?: string;
  /**
   * The warm-up before the timed frames (calibration included): frames, milliseconds, and the
   * time between its results (as `intervals`: where its last windows ran against the timed frames).
   */
  warmup?: {
    frames: number;
    ms: number;
    intervals?: number[];
    /** The placement changes the warm-up saw (see `planChanges`). */
    planChanges?: PlanChange[];
    /** Chains the strategy's scheduler was given in the warm-up (see `chainsSet`). */
    chainsSet?: number;
    /** How its plan's timing went in the warm-up (see `timing`). */
    timing?: PlanTiming;
  };
  /** Frame rows: timed frames the scheduler sent off its plan (probe, verify, explore). */
  offPlan?: { probe: number; verify: number; explore: number };
  /** Time between consecutive results (ms): the first from the start, then frame to frame. */
  intervals?: number[];
  /**
   * What the strategy's scheduler predicted for these frames just before they ran (frame rows),
   * with a range from its estimates' spread; `basis`: the latency model's word, or the model
   * scaled by what the plan's frames measured where it ran clearly off it.
   */
  predicted?: {
    fps: number;
    low: number;
    high: number;
    basis: 'model' | 'measured';
    /** The fps the plan's last timed window ran at, before these frames (null: never timed). */
    timedFps: number | null;
    /** How that window was weighed (see the scheduler's `Prediction.timed`). */
    timedWeighed: {
      state: 'measured' | 'remembered' | 'unmeasured';
      trusted: boolean;
      drift: number;
      framesAgo: number;
    } | null;
  } | null;
  /** Where each stage ran under the strategy's plan when its frames started ("gpu", "remote 75% + ort-wasm 25%"). */
  plan?: { stage: string; targets: string }[];
  /**
   * Frame rows: the placement changes the strategy's scheduler made while the timed frames ran
   * (a prediction is for the plan that ran when it was made; a change mid-run is another plan).
   */
  planChanges?: PlanChange[];
  /**
   * Frame rows: chains the strategy's scheduler was given while the timed frames ran (each
   * starts its planning and timing over; the chain runs unchanged, so 0 is right).
   */
  chainsSet?: number;
  /**
   * Frame rows: the strategy's plan timing while the timed frames ran — windows completed, and
   * windows started again before completing, by why (see the scheduler's `timing`).
   */
  timing?: PlanTiming;
  /**
   * Frame rows: what each target ("gpu", "cpu", an ML target, "transfer") spent per timed frame
   * on average (ms), as the engine measured it: where a strategy's time went.
   */
  busyMs?: Record<string, number>;
  /**
   * Frame rows: a timed frame's mean span from its start to the end of its GPU work (ms), for
   * the frames timed cleanly (the ones the latency model learns from) and the others.
   */
  spanMs?: { clean: number | null; other: number | null };
  /** Frame rows: how many timed frames were timed cleanly (each waits for an idle GPU queue). */
  cleanFrames?: number;
  /** A batch: items in flight at once (the planner's recommendation), and each target's share. */
  inFlight?: number;
  slots?: Record<string, number>;
}

/** A scheduler's plan timing over some frames: windows completed, restarts by why. */
export interface PlanTiming {
  windows: number;
  restarts: {
    plan: number;
    interrupted: number;
    pause: number;
    slowdown: number;
    forgotten: number;
  };
}

/** A stage the plan moved while Compare measured (the scheduler's log, the stage by name). */
export interface PlanChange {
  stage: string;
  from: string;
  to: string;
  reason: string;
}

export interface CompareRow {
  scenario: string;
  unit: RateUnit;
  cells: Record<Strategy, CompareCell>;
}

/** What compare mode and `npm run bench` produce. */
export interface CompareTable {
  /** Where it ran: browser, adapter, cores. */
  machine: string;
  /** ISO time of the run. */
  date: string;
  rows: CompareRow[];
}

/** A cell's rate over GPU only's in the same row (null when either is missing). */
export function ratio(row: CompareRow, strategy: Strategy): number | null {
  const base = row.cells['gpu-only'].rate;
  const rate = row.cells[strategy].rate;
  return base && rate !== null ? rate / base : null;
}

const HEADER = [
  'scenario',
  'unit',
  ...STRATEGIES.flatMap((s) => [STRATEGY_LABELS[s], `${STRATEGY_LABELS[s]} ratio`]),
];

/** CSV (RFC 4180 quoting): a row per scenario; each strategy's rate and its ratio to GPU only. */
export function toCsv(table: CompareTable): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const num = (v: number | null) => (v === null ? '' : String(v));
  const lines = [HEADER.map(quote).join(',')];
  for (const row of table.rows) {
    const cells = STRATEGIES.flatMap((s) => [num(row.cells[s].rate), num(ratio(row, s))]);
    lines.push([quote(row.scenario), row.unit, ...cells].join(','));
  }
  return lines.join('\n') + '\n';
}

/** Reads `toCsv`'s output back: scenario, unit, and each strategy's rate and ratio. */
export function parseCsv(
  text: string,
): { scenario: string; unit: string; rates: Record<Strategy, number | null> }[] {
  const rows = parseCsvRows(text.trimEnd());
  const header = rows.shift();
  if (!header || header.join(',') !== HEADER.join(','))
    throw new Error('not a Triad comparison CSV (unexpected header)');
  return rows.map((cells) => {
    const rates = {} as Record<Strategy, number | null>;
    STRATEGIES.forEach((s, i) => {
      const v = cells[2 + 2 * i];
      rates[s] = v === '' ? null : Number(v);
    });
    return { scenario: cells[0], unit: cells[1], rates };
  });
}

function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [[]];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      rows[rows.length - 1].push(field);
      field = '';
    } else if (c === '\n') {
      rows[rows.length - 1].push(field);
      field = '';
      rows.push([]);
    } else field += c;
  }
  rows[rows.length - 1].push(field);
  return rows;
}

export function toJson(table: CompareTable): string {
  return JSON.stringify(table, null, 2) + '\n';
}

/** A rate as a table shows it: three significant figures. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '—';
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}

/** A Markdown table: rows scenarios, columns strategies, cells "rate unit (×ratio)". */
export function toMarkdown(table: CompareTable): string {
  const head = ['scenario', ...STRATEGIES.map((s) => STRATEGY_LABELS[s])];
  const lines = [
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
  ];
  for (const row of table.rows) {
    const cells = STRATEGIES.map((s) => {
      const cell = row.cells[s];
      if (cell.rate === null) return `— (${cell.error ?? 'not run'})`.replaceAll('|', '/');
      const r = ratio(row, s);
      const again = cell.remeasured ? ' (measured again after a GPU device loss)' : '';
      const settling = cell.unsettled ? ' (plan still settling)' : '';
      return `${formatRate(cell.rate)} ${row.unit}${r === null ? '' : ` (×${r.toFixed(2)})`}${again}${settling}`;
    });
    lines.push(`| ${[row.scenario.replaceAll('|', '/'), ...cells].join(' | ')} |`);
  }
  return `${lines.join('\n')}\n\n${table.machine}, ${table.date}.\n`;
}
