import { describe, expect, it } from 'vitest';
import { sampleCube } from './cube';
import { packLut, sampleLut } from './lut';
import { LutStore, type KeyValueStorage } from './store';

class MemoryStorage implements KeyValueStorage {
  items = new Map<string, string>();
  quota = Infinity;
  getItem = (k: string) => this.items.get(k) ?? null;
  setItem = (k: string, v: string) => {
    if (v.length > this.quota) throw new Error('QuotaExceededError');
    this.items.set(k, v);
  };
  removeItem = (k: string) => void this.items.delete(k);
}

describe('packed LUTs', () => {
  it('an identity LUT maps colours to themselves within 10-bit precision', () => {
    const lut = packLut(
      sampleCube(17, (r, g, b) => [r, g, b]),
      'id',
    );
    const out = new Float64Array(3);
    for (const rgb of [
      [0, 0, 0],
      [1, 1, 1],
      [0.3, 0.6, 0.9],
      [0.123, 0.5, 0.77],
    ]) {
      sampleLut(lut, rgb, out);
      for (let c = 0; c < 3; c++) expect(Math.abs(out[c] - rgb[c])).toBeLessThan(1 / 1023);
    }
  });

  it('interpolates between entries trilinearly', () => {
    const lut = packLut(
      sampleCube(2, (r, g, b) => [1 - r, g * g, b]),
      'x',
    );
    const out = new Float64Array(3);
    sampleLut(lut, [0.25, 0.5, 0.5], out);
    expect(out[0]).toBeCloseTo(0.75, 3);
    expect(out[1]).toBeCloseTo(0.5, 3); // linear between 0 and 1, not g²
  });

  it('clamps inputs outside the domain', () => {
    const lut = packLut(
      sampleCube(5, (r, g, b) => [r, g, b]),
      'id',
    );
    const out = new Float64Array(3);
    sampleLut(lut, [-1, 2, 0.5], out);
    expect(out[0]).toBeCloseTo(0, 3);
    expect(out[1]).toBeCloseTo(1, 3);
  });

  it('gives the same table the same id and a different table another', () => {
    const a = packLut(
      sampleCube(9, (r, g, b) => [r, g, b]),
      'a',
    );
    const b = packLut(
      sampleCube(9, (r, g, b) => [r, g, b]),
      'b',
    );
    const c = packLut(
      sampleCube(9, (r, g, b) => [g, r, b]),
      'c',
    );
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe(c.id);
  });
});

describe('LUT store', () => {
  it('saves a LUT and loads it back in a new session', () => {
    const storage = new MemoryStorage();
    const lut = packLut(
      sampleCube(9, (r, g, b) => [b, g, r]),
      'warm.cube',
    );
    expect(new LutStore(storage).add(lut)).toBe(true);
    const again = new LutStore(storage).get(lut.id);
    expect(again?.name).toBe('warm.cube');
    expect(Array.from(again!.packed)).toEqual(Array.from(lut.packed));
  });

  it('keeps a LUT for the session when storage is full, and says it was not saved', () => {
    const storage = new MemoryStorage();
    storage.quota = 10;
    const store = new LutStore(storage);
    const lut = packLut(
      sampleCube(9, (r, g, b) => [r, g, b]),
      'big.cube',
    );
    expect(store.add(lut)).toBe(false);
    expect(store.get(lut.id)).toBe(lut);
  });

  it('drops a corrupt stored entry instead of failing', () => {
    const storage = new MemoryStorage();
    storage.setItem('triad.lut.9-deadbeef', '{not json');
    expect(new LutStore(storage).get('9-deadbeef')).toBeUndefined();
    expect(storage.getItem('triad.lut.9-deadbeef')).toBeNull();
  });
});
