import { parseHeader } from './header';

/** The `.triad-effect.json` format: one custom effect, its source and the name it goes by. */
export interface EffectFile {
  format: 'triad-effect';
  v: 1;
  name: string;
  source: string;
}

export const EFFECT_FILE_EXTENSION = '.triad-effect.json';
/** Larger files are refused before they are parsed. */
export const MAX_EFFECT_FILE_BYTES = 256 * 1024;

export function effectFile(source: string): EffectFile {
  return {
    format: 'triad-effect',
    v: 1,
    name: parseHeader(source).header?.name ?? 'Untitled effect',
    source,
  };
}

/** A file name for an effect: its name in lower case, with dashes. */
export function effectFileName(name: string): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'effect';
  return base + EFFECT_FILE_EXTENSION;
}

/** Reads a `.triad-effect.json` file's text; throws an Error that says in words what is wrong. */
export function readEffectFile(text: string): EffectFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error('it is not a Triad effect file (not JSON)');
  }
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (d.format !== 'triad-effect')
    throw new Error('it is not a Triad effect file (no "format": "triad-effect")');
  if (d.v !== 1) throw new Error(`its version ${String(d.v)} is not one this app reads`);
  if (typeof d.source !== 'string' || !d.source.trim()) throw new Error('it has no "source" text');
  return effectFile(d.source);
}
