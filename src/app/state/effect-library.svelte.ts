import { downloadBlob } from '../../media';
import {
  MAX_EFFECT_FILE_BYTES,
  effectFile,
  effectFileName,
  readEffectFile,
} from '../../effects/custom/file';
import { registerCustomEffect } from '../../effects/custom/registry';

/** One custom effect saved in this browser. */
export interface SavedEffect {
  /** The effect's id (a hash of its source): saving the same code twice keeps one. */
  id: string;
  name: string;
  source: string;
  savedAt: number;
}

const DB = 'triad';
const STORE = 'effects';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * The user's custom effects, kept in this browser (IndexedDB), newest first; exported and
 * imported as `.triad-effect.json` files. An imported effect is not accepted to run until its
 * user has reviewed its code (like one from a link).
 */
export class EffectLibrary {
  effects = $state.raw<SavedEffect[]>([]);
  /** Why the library cannot be used (no IndexedDB: a private window in some browsers). */
  unavailable = $state<string | null>(null);
  readonly #db: Promise<IDBDatabase> | null;

  constructor(factory: IDBFactory | null) {
    if (!factory) {
      this.#db = null;
      this.unavailable = 'this browser keeps no local database here';
      return;
    }
    const open = factory.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'id' });
    this.#db = request(open);
    this.#db.then(
      () => this.#refresh(),
      (error: unknown) =>
        (this.unavailable = error instanceof Error ? error.message : String(error)),
    );
  }

  async #store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    if (!this.#db) throw new Error(this.unavailable ?? 'no library');
    return (await this.#db).transaction(STORE, mode).objectStore(STORE);
  }

  async #refresh(): Promise<void> {
    const all = (await request((await this.#store('readonly')).getAll())) as SavedEffect[];
    this.effects = all.sort((a, b) => b.savedAt - a.savedAt);
  }

  /** Saves `source` (the same code again: its date is updated). */
  async save(source: string): Promise<SavedEffect> {
    const { id, definition } = registerCustomEffect(source);
    const saved = { id, name: definition.name, source, savedAt: Date.now() };
    await request((await this.#store('readwrite')).put(saved));
    await this.#refresh();
    return saved;
  }

  async remove(id: string): Promise<void> {
    await request((await this.#store('readwrite')).delete(id));
    await this.#refresh();
  }

  exportFile(source: string): void {
    const file = effectFile(source);
    const blob = new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' });
    downloadBlob(blob, effectFileName(file.name));
  }

  /** Reads a `.triad-effect.json` file into the library; throws an Error saying what is wrong. */
  async importFile(file: File): Promise<SavedEffect> {
    if (file.size > MAX_EFFECT_FILE_BYTES)
      throw new Error(
        `it is ${Math.round(file.size / 1024)} KiB; effect files are at most 256 KiB`,
      );
    return this.save(readEffectFile(await file.text()).source);
  }
}
