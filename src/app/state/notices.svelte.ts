export type NoticeKind = 'error' | 'warning' | 'info';

export interface Notice {
  id: number;
  kind: NoticeKind;
  /** What happened, in a few words. */
  title: string;
  /** One plain sentence: what happened and what the app did about it. */
  message: string;
  /** The technical detail (an error's own words), behind "Details" and in the console. */
  detail?: string;
  /** How many times it happened while its card was up. */
  count: number;
  /** When it last happened (ms since the epoch). */
  at: number;
}

/** How long a notice stays up (ms); null: until dismissed. Hovering or focusing one holds it. */
export const NOTICE_FADE_MS: Record<NoticeKind, number | null> = {
  info: 6000,
  warning: 15_000,
  error: null,
};

/** Cards on screen at most (the rest are a click away, in the log). */
export const NOTICES_SHOWN = 3;
/** Notices the log keeps (the oldest go first). */
const LOGGED = 200;

export interface NoticeClock {
  now(): number;
  setTimeout(work: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const browserClock: NoticeClock = {
  now: () => Date.now(),
  setTimeout: (work, ms) => setTimeout(work, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Messages shown above the viewer, and the session's log of them. The same notice again while its
 * card is up is the same incident: the card counts it ("3 times") and gathers the details, instead
 * of stacking a new one. Information fades after a few seconds, warnings after longer; errors stay
 * until dismissed. Every notice is copied to the console with its detail.
 */
export class Notices {
  /** On screen, oldest first. */
  items = $state.raw<Notice[]>([]);
  /** Every notice of the session, oldest first (a grouped one once, with its count). */
  log = $state.raw<Notice[]>([]);
  /** Notices added since the log was last opened. */
  unseen = $state(0);
  #next = 1;
  readonly #clock: NoticeClock;
  readonly #console: Pick<Console, 'info' | 'warn'>;
  // Timers and holds: bookkeeping, nothing on screen reads them.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #fades = new Map<number, unknown>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #held = new Set<number>();

  constructor(
    clock: NoticeClock = browserClock,
    console: Pick<Console, 'info' | 'warn'> = globalThis.console,
  ) {
    this.#clock = clock;
    this.#console = console;
  }

  add(kind: NoticeKind, title: string, message: string, detail?: string): number {
    const at = this.#clock.now();
    const same = this.items.find(
      (n) => n.kind === kind && n.title === title && n.message === message,
    );
    const notice: Notice = same
      ? { ...same, detail: joinDetail(same.detail, detail), count: same.count + 1, at }
      : { id: this.#next++, kind, title, message, detail, count: 1, at };
    if (same) {
      this.items = this.items.map((n) => (n.id === same.id ? notice : n));
      this.log = this.log.map((n) => (n.id === same.id ? notice : n));
    } else {
      this.items = [...this.items, notice];
      this.log = [...this.log, notice].slice(-LOGGED);
    }
    this.unseen++;
    this.#fadeLater(notice);
    const say = kind === 'info' ? this.#console.info : this.#console.warn;
    say.call(this.#console, `[Triad] ${title}: ${message}`, ...(detail ? [`\n${detail}`] : []));
    return notice.id;
  }

  error(title: string, message: string, detail?: string): number {
    return this.add('error', title, message, detail);
  }

  warning(title: string, message: string, detail?: string): number {
    return this.add('warning', title, message, detail);
  }

  info(title: string, message: string, detail?: string): number {
    return this.add('info', title, message, detail);
  }

  dismiss(id: number): void {
    this.#clock.clearTimeout(this.#fades.get(id));
    this.#fades.delete(id);
    this.#held.delete(id);
    this.items = this.items.filter((n) => n.id !== id);
  }

  /** The pointer or the focus is on a notice: it does not fade until `release`. */
  hold(id: number): void {
    this.#held.add(id);
    this.#clock.clearTimeout(this.#fades.get(id));
    this.#fades.delete(id);
  }

  release(id: number): void {
    this.#held.delete(id);
    const notice = this.items.find((n) => n.id === id);
    if (notice) this.#fadeLater(notice);
  }

  /** The log was opened: nothing in it is new any more. */
  seen(): void {
    this.unseen = 0;
  }

  #fadeLater(notice: Notice): void {
    const ms = NOTICE_FADE_MS[notice.kind];
    if (ms === null || this.#held.has(notice.id)) return;
    this.#clock.clearTimeout(this.#fades.get(notice.id));
    this.#fades.set(
      notice.id,
      this.#clock.setTimeout(() => this.dismiss(notice.id), ms),
    );
  }
}

/** A grouped notice's details: each different one, the latest last (a few at most). */
function joinDetail(before: string | undefined, next: string | undefined): string | undefined {
  if (!next || before === next) return before ?? next;
  const parts = [...(before?.split(DETAIL_SEPARATOR) ?? []), next];
  return parts
    .filter((p, i) => parts.indexOf(p) === i)
    .slice(-5)
    .join(DETAIL_SEPARATOR);
}

const DETAIL_SEPARATOR = '\n—\n';
