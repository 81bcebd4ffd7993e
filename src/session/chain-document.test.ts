import { describe, expect, it } from 'vitest';
import { addStage, encodeChainForUrl, findEffect, serializeChain, type Chain } from '../effects';
import { ChainDocument } from './chain-document';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
}

const withStage = (effect: string, chain: Chain = { stages: [] }) =>
  addStage(chain, findEffect(effect)!);

describe('ChainDocument', () => {
  it('saves and shares every change, and undoes it', () => {
    const storage = memoryStorage();
    const hashes: string[] = [];
    const seen: Chain[] = [];
    const doc = new ChainDocument({ storage, writeHash: (h) => hashes.push(h) }, (c) =>
      seen.push(c),
    );
    doc.edit((c) => withStage('invert', c));
    expect(doc.chain.stages).toHaveLength(1);
    expect(storage.items.get('triad.chain')).toBe(serializeChain(doc.chain));
    expect(hashes.at(-1)).toBe(`#chain=${encodeChainForUrl(doc.chain)}`);
    doc.undo();
    expect(doc.chain.stages).toHaveLength(0);
    expect(hashes.at(-1)).toBe('');
    expect(seen.map((c) => c.stages.length)).toEqual([1, 0]);
    expect(doc.canRedo).toBe(true);
  });

  it('restores a shared link before the saved chain', () => {
    const saved = withStage('gaussian-blur');
    const shared = withStage('grayscale');
    const doc = new ChainDocument(
      { storage: memoryStorage({ 'triad.chain': serializeChain(saved) }) },
      () => {},
    );
    doc.restore(`#chain=${encodeChainForUrl(shared)}`, {
      repaired: () => {},
      unreadable: () => {},
    });
    expect(doc.chain.stages.map((s) => s.effect)).toEqual(['grayscale']);
    expect(doc.canUndo).toBe(false);
  });

  it('says which chain could not be read and falls back to the next', () => {
    const saved = withStage('gaussian-blur');
    const unreadable: string[] = [];
    const doc = new ChainDocument(
      { storage: memoryStorage({ 'triad.chain': serializeChain(saved) }) },
      () => {},
    );
    doc.restore('#chain=not-a-chain', {
      repaired: () => {},
      unreadable: (what) => unreadable.push(what),
    });
    expect(unreadable).toEqual(['The shared link']);
    expect(doc.chain.stages.map((s) => s.effect)).toEqual(['gaussian-blur']);
  });
});
