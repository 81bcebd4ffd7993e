const KEY = 'triad.accepted-shaders';
/** Kept at most (the oldest are forgotten: their code asks again). */
const MAX_ACCEPTED = 500;

/**
 * Which custom effects' code the user has accepted, by effect id (a hash of the source),
 * remembered in the browser. Code written in this browser's editor is accepted as it is
 * written; code that arrives with a link or a file runs only after its user has seen it and
 * pressed "Run this code". WebGPU's validation is the sandbox for what then runs.
 */
export class ShaderTrust {
  readonly #storage: Storage | null;
  #accepted = $state.raw<string[]>([]);

  constructor(storage: Storage | null) {
    this.#storage = storage;
    let saved: unknown = [];
    try {
      saved = JSON.parse(storage?.getItem(KEY) ?? '[]');
    } catch {
      saved = [];
    }
    this.#accepted = Array.isArray(saved) ? saved.filter((v) => typeof v === 'string') : [];
  }

  accepted(effectId: string): boolean {
    return this.#accepted.includes(effectId);
  }

  accept(effectId: string): void {
    if (this.accepted(effectId)) return;
    this.#accepted = [...this.#accepted, effectId].slice(-MAX_ACCEPTED);
    try {
      this.#storage?.setItem(KEY, JSON.stringify(this.#accepted));
    } catch {
      // not remembered across reloads; accepted for this page
    }
  }
}
