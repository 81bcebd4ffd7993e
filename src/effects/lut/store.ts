import type { Lut } from './lut';

/** The subset of the Web Storage API the store needs (localStorage in the app). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const PREFIX = 'triad.lut.';

interface StoredLut {
  name: string;
  title: string;
  size: number;
  domainMin: [number, number, number];
  domainMax: [number, number, number];
  packed: string;
}

function encodeWords(words: Uint32Array): string {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function decodeWords(text: string): Uint32Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Uint32Array(bytes.buffer);
}

/**
 * LUTs by content id. Chains refer to LUTs by id, so a LUT loaded once serves every stage that
 * uses it, and persisting a chain never copies a table. Tables are saved to storage when they fit;
 * `add` says whether it did.
 */
export class LutStore {
  readonly #luts = new Map<string, Lut>();
  readonly #storage: KeyValueStorage | null;

  constructor(storage: KeyValueStorage | null) {
    this.#storage = storage;
  }

  get(id: string): Lut | undefined {
    const cached = this.#luts.get(id);
    if (cached || !this.#storage) return cached;
    const text = this.#storage.getItem(PREFIX + id);
    if (!text) return undefined;
    try {
      const stored = JSON.parse(text) as StoredLut;
      const lut: Lut = { id, ...stored, packed: decodeWords(stored.packed) };
      if (lut.packed.length !== lut.size ** 3) throw new Error('size mismatch');
      this.#luts.set(id, lut);
      return lut;
    } catch {
      this.#storage.removeItem(PREFIX + id);
      return undefined;
    }
  }

  /** Keeps the LUT for this session; returns false if it could not also be saved to storage. */
  add(lut: Lut): boolean {
    this.#luts.set(lut.id, lut);
    if (!this.#storage) return false;
    const { id: _id, packed, ...rest } = lut;
    try {
      this.#storage.setItem(
        PREFIX + lut.id,
        JSON.stringify({ ...rest, packed: encodeWords(packed) }),
      );
      return true;
    } catch {
      return false;
    }
  }
}
