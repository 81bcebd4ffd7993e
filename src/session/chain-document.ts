import {
  EMPTY_CHAIN,
  decodeChainFromUrl,
  encodeChainForUrl,
  parseChain,
  serializeChain,
  type Chain,
} from '../effects';
import { History } from './history';

const CHAIN_KEY = 'triad.chain';
const HASH_KEY = 'chain=';

/** Where the chain is kept between sessions and shared: both optional (Node has neither). */
export interface ChainStore {
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** Writes the URL's hash (`''` clears it); absent outside a page. */
  writeHash?: (hash: string) => void;
}

export interface ChainProblems {
  /** The chain read needed repairs (`what`: "The shared link", "The saved chain"). */
  repaired(what: string, problems: string[]): void;
  /** The chain could not be read at all; it was ignored. */
  unreadable(what: string, reason: string): void;
}

/**
 * The chain being edited, with its undo history: every change is saved (storage) and shared (the
 * URL's hash); on start it is restored from a shared link, else from the last session. `changed`
 * runs after every change (the UI bumps its reactive version there).
 */
export class ChainDocument {
  readonly #history = new History<Chain>(EMPTY_CHAIN);
  readonly #store: ChainStore;
  readonly #changed: (chain: Chain) => void;

  constructor(store: ChainStore, changed: (chain: Chain) => void) {
    this.#store = store;
    this.#changed = changed;
  }

  get chain(): Chain {
    return this.#history.present;
  }

  get canUndo(): boolean {
    return this.#history.canUndo;
  }

  get canRedo(): boolean {
    return this.#history.canRedo;
  }

  /** Applies an edit as one undo step; edits sharing a `gesture` key merge into one. */
  edit(fn: (chain: Chain) => Chain, gesture?: string): void {
    const next = fn(this.#history.present);
    if (next === this.#history.present) return;
    this.#history.push(next, gesture);
    this.#change();
  }

  /** Ends a slider drag or typing burst, so the next edit is a separate undo step. */
  endGesture(): void {
    this.#history.endGesture();
  }

  undo(): void {
    if (this.#history.undo()) this.#change();
  }

  redo(): void {
    if (this.#history.redo()) this.#change();
  }

  /** Replaces the chain as a new document (a shared link, a test); clears undo. */
  replace(chain: Chain): void {
    this.#history.reset(chain);
    this.#change();
  }

  /** Restores the chain from a shared link (`hash`) if there is one, else from the last session. */
  restore(hash: string, problems: ChainProblems): void {
    const token = hash.startsWith(`#${HASH_KEY}`) ? hash.slice(HASH_KEY.length + 1) : null;
    const stored = this.#store.storage?.getItem(CHAIN_KEY) ?? null;
    const sources: [string, () => { chain: Chain; problems: string[] }][] = [];
    if (token) sources.push(['The shared link', () => decodeChainFromUrl(token)]);
    if (stored) sources.push(['The saved chain', () => parseChain(stored)]);
    for (const [what, read] of sources) {
      try {
        const { chain, problems: repairs } = read();
        if (repairs.length) problems.repaired(what, repairs);
        this.replace(chain);
        return;
      } catch (error) {
        // A ChainFormatError says what is wrong with the text; anything else, what failed.
        problems.unreadable(what, error instanceof Error ? error.message : String(error));
      }
    }
  }

  #change(): void {
    const chain = this.#history.present;
    try {
      this.#store.storage?.setItem(CHAIN_KEY, serializeChain(chain));
    } catch {
      // Storage full or blocked: the URL still carries the chain.
    }
    this.#store.writeHash?.(chain.stages.length ? `#${HASH_KEY}${encodeChainForUrl(chain)}` : '');
    this.#changed(chain);
  }
}
