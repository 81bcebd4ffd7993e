/**
 * Undo/redo over immutable values. Consecutive pushes with the same `coalesce` key (one slider
 * drag, typing in one field) replace the newest entry instead of adding one, until `endGesture`.
 */
export class History<T> {
  #past: T[] = [];
  #future: T[] = [];
  #present: T;
  #gesture: string | null = null;
  readonly #limit: number;

  constructor(initial: T, limit = 200) {
    this.#present = initial;
    this.#limit = limit;
  }

  get present(): T {
    return this.#present;
  }

  get canUndo(): boolean {
    return this.#past.length > 0;
  }

  get canRedo(): boolean {
    return this.#future.length > 0;
  }

  push(next: T, coalesce?: string): void {
    if (next === this.#present) return;
    if (!(coalesce && coalesce === this.#gesture)) {
      this.#past.push(this.#present);
      if (this.#past.length > this.#limit) this.#past.shift();
    }
    this.#gesture = coalesce ?? null;
    this.#present = next;
    this.#future = [];
  }

  endGesture(): void {
    this.#gesture = null;
  }

  undo(): boolean {
    const previous = this.#past.pop();
    if (previous === undefined) return false;
    this.#future.push(this.#present);
    this.#present = previous;
    this.#gesture = null;
    return true;
  }

  redo(): boolean {
    const next = this.#future.pop();
    if (next === undefined) return false;
    this.#past.push(this.#present);
    this.#present = next;
    this.#gesture = null;
    return true;
  }

  /** Starts over from `value` with no undo steps (a new document). */
  reset(value: T): void {
    this.#past = [];
    this.#future = [];
    this.#present = value;
    this.#gesture = null;
  }
}
