// Where the command writes and what stops it: injected, so tests read what a person would see.
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (a live progress bar) or not (a line per file). */
  tty: boolean;
  /** Aborted on Ctrl-C (the first one: finish what is in flight; the bin handles the second). */
  signal: AbortSignal;
}
