import type { AnyEffect } from '../effect';
import { parseHeader, type SourceProblem } from './header';

/** Ids of custom effects start with this; the rest is a hash of the source. */
export const CUSTOM_PREFIX = 'custom-';

export interface CustomEffect {
  id: string;
  source: string;
  definition: AnyEffect;
  /** The header's problems (the WGSL's are found when it is compiled). */
  problems: SourceProblem[];
}

/**
 * Custom effects by id, content-addressed: the id is a hash of the source, so the same source
 * is the same effect everywhere (a chain, its undo history, a link, another tab) and an entry
 * never changes. Chains name custom effects by id and carry their sources when serialized.
 */
const registry = new Map<string, CustomEffect>();

/** FNV-1a, 64 bits as two 32-bit halves: an id, not a security measure. */
export function hashSource(source: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

export const isCustomEffectId = (id: string) => id.startsWith(CUSTOM_PREFIX);

/** Registers `source` (once) and returns its effect. */
export function registerCustomEffect(source: string): CustomEffect {
  const id = CUSTOM_PREFIX + hashSource(source);
  const known = registry.get(id);
  if (known) return known;
  const { header, problems } = parseHeader(source);
  const definition: AnyEffect = {
    id,
    name: header?.name ?? 'Untitled effect',
    description: header?.description ?? 'A custom WGSL effect',
    category: 'custom',
    params: header?.params ?? {},
    tolerance: 2,
    cpu: () => {
      throw new Error('custom effects run on the GPU only');
    },
  };
  const effect = { id, source, definition, problems };
  registry.set(id, effect);
  return effect;
}

export function findCustomEffect(id: string): CustomEffect | undefined {
  return registry.get(id);
}
