/** Main-thread tasks over 50 ms in a span of time: how many, the longest, and their total. */
export interface LongTaskSummary {
  count: number;
  longestMs: number;
  totalMs: number;
}

interface Task {
  startMs: number;
  ms: number;
}

/** Tasks kept (the oldest go first): hours of a busy page. */
const KEPT = 20_000;

/**
 * The page's long tasks (the Long Tasks API: a task that kept the main thread over 50 ms), kept
 * so a span (a Compare run, playback, opening a file) can be read afterwards. `supported` is
 * false where the browser has no such entries: then every summary is empty, and says nothing.
 */
export class LongTasks {
  readonly supported: boolean;
  readonly #tasks: Task[] = [];

  constructor() {
    this.supported =
      typeof PerformanceObserver !== 'undefined' &&
      PerformanceObserver.supportedEntryTypes.includes('longtask');
    if (!this.supported) return;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.add(e.startTime, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  }

  add(startMs: number, ms: number): void {
    this.#tasks.push({ startMs, ms });
    if (this.#tasks.length > KEPT) this.#tasks.splice(0, this.#tasks.length - KEPT);
  }

  /** The tasks that started in [fromMs, toMs) (performance.now() times). */
  between(fromMs: number, toMs = Infinity): LongTaskSummary {
    return summarize(this.#tasks.filter((t) => t.startMs >= fromMs && t.startMs < toMs));
  }
}

export function summarize(tasks: readonly Task[]): LongTaskSummary {
  return {
    count: tasks.length,
    longestMs: tasks.reduce((m, t) => Math.max(m, t.ms), 0),
    totalMs: tasks.reduce((s, t) => s + t.ms, 0),
  };
}
