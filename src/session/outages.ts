/** One step of an outage: a part of the machine lost, or back (with how long it was out). */
export interface OutageEvent {
  /** Clock time (ms). */
  at: number;
  /** What: "GPU device", "Frames", an ML target ("tfjs-webgpu"), "Endpoint", "CPU workers". */
  part: string;
  event: 'lost' | 'back';
  /** What happened, in words (the device's message; what came back). */
  detail: string;
  /** For `back`: how long the part was out (ms). */
  outMs?: number;
}

/** A span of time one part was out: `to` is null while it still is. */
export interface OutageSpan {
  part: string;
  from: number;
  to: number | null;
}

/**
 * The recovery log: what was lost, what came back, and how long each was out. A part lost twice
 * before it is back is one outage (from the first loss). Pure: the clock is injected.
 */
export class OutageLog {
  readonly #clock: () => number;
  readonly #limit: number;
  readonly #events: OutageEvent[] = [];
  readonly #spans: OutageSpan[] = [];
  readonly #open = new Map<string, OutageSpan>();
  /** Bumped on every change (the panel redraws on it). */
  version = 0;

  constructor(clock: () => number, limit = 200) {
    this.#clock = clock;
    this.#limit = limit;
  }

  /** `part` is out from now (no-op if it is out already). */
  lost(part: string, detail: string): void {
    if (this.#open.has(part)) return;
    const at = this.#clock();
    const span: OutageSpan = { part, from: at, to: null };
    this.#open.set(part, span);
    this.#push(this.#spans, span);
    this.#push(this.#events, { at, part, event: 'lost', detail });
  }

  /** `part` works again (no-op if it was not out). */
  back(part: string, detail: string): void {
    const span = this.#open.get(part);
    if (!span) return;
    const at = this.#clock();
    span.to = at;
    this.#open.delete(part);
    this.#push(this.#events, { at, part, event: 'back', detail, outMs: at - span.from });
  }

  isOut(part: string): boolean {
    return this.#open.has(part);
  }

  /** The parts out now. */
  get out(): string[] {
    return [...this.#open.keys()];
  }

  /** Every step, oldest first (the latest `limit`). */
  get events(): readonly OutageEvent[] {
    return this.#events;
  }

  /** Every outage's span, oldest first (the latest `limit`). */
  get spans(): readonly OutageSpan[] {
    return this.#spans;
  }

  #push<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > this.#limit) list.shift();
    this.version++;
  }
}
