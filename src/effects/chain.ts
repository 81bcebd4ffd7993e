import { findEntry } from './catalogue';
import { isMlEffect, type CatalogueEntry } from './effect';
import { ML_TARGETS, PIXEL_TARGETS, type PixelTarget, type StageTarget } from '../core/targets';
import {
  clampNumber,
  defaultParams,
  validateParams,
  type ParamValue,
  type ParamValues,
} from './params';
import { validateCurves, validateLevels } from './tone';

export { PIXEL_TARGETS, type PixelTarget, type StageTarget };

/** The targets an effect can be pinned to, the first being its default. */
export function targetsFor(effect: CatalogueEntry): readonly StageTarget[] {
  return isMlEffect(effect) ? ML_TARGETS : PIXEL_TARGETS;
}

/** One effect instance in a chain. Values are immutable: every edit makes a new chain. */
export interface StageSpec {
  /** Stable within a session (keys, GPU stage ownership); not serialized. */
  id: string;
  effect: string;
  enabled: boolean;
  target: StageTarget;
  params: ParamValues;
}

export interface Chain {
  stages: readonly StageSpec[];
}

export const EMPTY_CHAIN: Chain = { stages: [] };
export const CHAIN_FORMAT_VERSION = 1;

let nextId = 1;
function newStageId(): string {
  return `s${nextId++}`;
}

export function createStage(effect: CatalogueEntry): StageSpec {
  return {
    id: newStageId(),
    effect: effect.id,
    enabled: true,
    target: targetsFor(effect)[0],
    params: defaultParams(effect.params),
  };
}

export function addStage(chain: Chain, effect: CatalogueEntry, at = chain.stages.length): Chain {
  const stages = [...chain.stages];
  stages.splice(at, 0, createStage(effect));
  return { stages };
}

export function removeStage(chain: Chain, id: string): Chain {
  return { stages: chain.stages.filter((s) => s.id !== id) };
}

/** Moves the stage at `from` so that it ends up at index `to`. */
export function moveStage(chain: Chain, from: number, to: number): Chain {
  const n = chain.stages.length;
  if (from < 0 || from >= n || to < 0 || to >= n || from === to) return chain;
  const stages = [...chain.stages];
  const [stage] = stages.splice(from, 1);
  stages.splice(to, 0, stage);
  return { stages };
}

function updateStage(chain: Chain, id: string, fn: (s: StageSpec) => StageSpec): Chain {
  return { stages: chain.stages.map((s) => (s.id === id ? fn(s) : s)) };
}

export function setEnabled(chain: Chain, id: string, enabled: boolean): Chain {
  return updateStage(chain, id, (s) => ({ ...s, enabled }));
}

export function setTarget(chain: Chain, id: string, target: StageTarget): Chain {
  return updateStage(chain, id, (s) => ({ ...s, target }));
}

/** Sets one parameter, clamped and snapped to its schema. Unknown names are ignored. */
export function setParam(chain: Chain, id: string, name: string, value: ParamValue): Chain {
  return updateStage(chain, id, (s) => {
    const spec = findEntry(s.effect)?.params[name];
    if (!spec) return s;
    let v = value;
    if (spec.kind === 'number' && typeof value === 'number') v = clampNumber(spec, value);
    else if (spec.kind === 'levels') v = validateLevels(value).value;
    else if (spec.kind === 'curves') v = validateCurves(value).value;
    return { ...s, params: { ...s.params, [name]: v } };
  });
}

export function resetParams(chain: Chain, id: string): Chain {
  return updateStage(chain, id, (s) => {
    const effect = findEntry(s.effect);
    return effect ? { ...s, params: defaultParams(effect.params) } : s;
  });
}

interface SerializedChain {
  v: number;
  stages: { effect: string; enabled: boolean; target?: StageTarget; params: ParamValues }[];
}

export function serializeChain(chain: Chain): string {
  const data: SerializedChain = {
    v: CHAIN_FORMAT_VERSION,
    stages: chain.stages.map((s) => ({
      effect: s.effect,
      enabled: s.enabled,
      target: s.target,
      params: s.params,
    })),
  };
  return JSON.stringify(data);
}

export class ChainFormatError extends Error {
  override name = 'ChainFormatError';
}

/**
 * Reads a serialized chain from untrusted text (storage, a shared link). Stages of unknown
 * effects are dropped and bad parameters replaced by defaults; each such repair is reported.
 * Only text that is not a chain at all throws.
 */
export function parseChain(text: string): { chain: Chain; problems: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ChainFormatError('not valid JSON');
  }
  if (
    typeof data !== 'object' ||
    data === null ||
    !Array.isArray((data as SerializedChain).stages)
  ) {
    throw new ChainFormatError('no "stages" list');
  }
  const version = (data as SerializedChain).v;
  if (version !== CHAIN_FORMAT_VERSION) {
    throw new ChainFormatError(`unsupported chain format version ${String(version)}`);
  }
  const problems: string[] = [];
  const stages: StageSpec[] = [];
  (data as SerializedChain).stages.forEach((raw, i) => {
    const effect = typeof raw?.effect === 'string' ? findEntry(raw.effect) : undefined;
    if (!effect) {
      problems.push(`stage ${i + 1}: unknown effect "${String(raw?.effect)}" was removed`);
      return;
    }
    const { values, problems: paramProblems } = validateParams(effect.params, raw.params);
    for (const p of paramProblems) problems.push(`${effect.name}: ${p.message}`);
    const allowed = targetsFor(effect);
    let target = allowed[0];
    if (raw.target !== undefined) {
      if (allowed.includes(raw.target)) target = raw.target;
      else problems.push(`${effect.name}: unknown target "${String(raw.target)}"; using ${target}`);
    }
    stages.push({
      id: newStageId(),
      effect: effect.id,
      enabled: raw.enabled !== false,
      target,
      params: values,
    });
  });
  return { chain: { stages }, problems };
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The chain as a URL-hash-safe token (base64url of its JSON). */
export function encodeChainForUrl(chain: Chain): string {
  return toBase64Url(serializeChain(chain));
}

export function decodeChainFromUrl(token: string): { chain: Chain; problems: string[] } {
  let text: string;
  try {
    text = fromBase64Url(token);
  } catch {
    throw new ChainFormatError('the link is damaged (not base64url)');
  }
  return parseChain(text);
}

/**
 * A chain of enabled stages from plain descriptions (built-in scenarios, tests), validated like
 * any untrusted chain: unknown effects are dropped and parameters clamped.
 */
export function chainFromStages(
  stages: readonly { effect: string; target?: string; params?: Record<string, unknown> }[],
): Chain {
  return parseChain(JSON.stringify({ v: 1, stages: stages.map((s) => ({ ...s, enabled: true })) }))
    .chain;
}
