import type { Chain } from '../../effects';
import { ChainDocument, type ChainStore } from '../../session/chain-document';
import type { Notices } from './notices.svelte';

/**
 * The chain and its undo history as the UI sees them: a reactive view over the session's
 * `ChainDocument` (saved and shared as it changes), with problems reading it told as notices.
 */
export class HistoryState {
  readonly #doc: ChainDocument;
  readonly #notices: Notices;
  #version = $state(0);

  constructor(store: ChainStore, notices: Notices, changed: (chain: Chain) => void) {
    this.#notices = notices;
    this.#doc = new ChainDocument(store, (chain) => {
      this.#version++;
      changed(chain);
    });
  }

  get chain(): Chain {
    void this.#version;
    return this.#doc.chain;
  }

  get canUndo(): boolean {
    void this.#version;
    return this.#doc.canUndo;
  }

  get canRedo(): boolean {
    void this.#version;
    return this.#doc.canRedo;
  }

  /** Applies an edit as one undo step; edits sharing a `gesture` key merge into one. */
  edit(fn: (chain: Chain) => Chain, gesture?: string): void {
    this.#doc.edit(fn, gesture);
  }

  /** Ends a slider drag or typing burst, so the next edit is a separate undo step. */
  endGesture(): void {
    this.#doc.endGesture();
  }

  undo(): void {
    this.#doc.undo();
  }

  redo(): void {
    this.#doc.redo();
  }

  /** Replaces the chain as a new document (a shared link, a test); clears undo. */
  replace(chain: Chain): void {
    this.#doc.replace(chain);
  }

  /** Restores the chain from a shared link if there is one, else from the last session. */
  restore(hash: string): void {
    this.#doc.restore(hash, {
      repaired: (what, problems) =>
        this.#notices.warning(`${what} needed repairs`, problems.join('; ')),
      unreadable: (what, reason) =>
        this.#notices.error(`${what} could not be read`, `${reason}. It was ignored.`),
    });
  }
}
