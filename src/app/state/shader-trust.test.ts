import { describe, expect, it } from 'vitest';
import { ShaderTrust } from './shader-trust.svelte';

function memoryStorage(initial: Record<string, string> = {}): Storage {
  const data = new Map(Object.entries(initial));
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, v),
  };
}

describe('which custom shaders may run', () => {
  it('nothing until accepted; an acceptance is remembered across instances (reloads)', () => {
    const storage = memoryStorage();
    const trust = new ShaderTrust(storage);
    expect(trust.accepted('custom-1')).toBe(false);
    trust.accept('custom-1');
    expect(trust.accepted('custom-1')).toBe(true);
    expect(new ShaderTrust(storage).accepted('custom-1')).toBe(true);
    expect(new ShaderTrust(storage).accepted('custom-2')).toBe(false);
  });

  it('damaged storage trusts nothing, and no storage still works for the page', () => {
    expect(
      new ShaderTrust(memoryStorage({ 'triad.accepted-shaders': '{oops' })).accepted('x'),
    ).toBe(false);
    const none = new ShaderTrust(null);
    none.accept('custom-3');
    expect(none.accepted('custom-3')).toBe(true);
  });
});
