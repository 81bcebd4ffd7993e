import { deflateSync, inflateSync } from 'fflate';
import { findEntry } from './catalogue';
import { findCustomEffect, isCustomEffectId, registerCustomEffect } from './custom/registry';
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

const GPU_ONLY: readonly StageTarget[] = ['gpu'];

/**
 * The targets an effect can be pinned to, the first being its default. Custom WGSL effects have
 * no CPU kernel: the GPU only.
 */
export function targetsFor(effect: CatalogueEntry): readonly StageTarget[] {
  if (isMlEffect(effect)) return ML_TARGETS;
  return effect.category === 'custom' ? GPU_ONLY : PIXEL_TARGETS;
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
  /** The sources of the custom effects its stages use, by effect id. */
  code?: Record<string, string>;
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
  const code: Record<string, string> = {};
  for (const s of chain.stages) {
    const custom = findCustomEffect(s.effect);
    if (custom) code[s.effect] = custom.source;
  }
  if (Object.keys(code).length > 0) data.code = code;
  return JSON.stringify(data);
}

/** Adds a custom WGSL effect's stage, registering its source. */
export function addCustomStage(chain: Chain, source: string, at = chain.stages.length): Chain {
  return addStage(chain, registerCustomEffect(source).definition, at);
}

/**
 * Gives a custom stage new source: a new effect (ids are content hashes), with the parameters
 * the new header still declares kept, the others at their defaults.
 */
export function setCustomSource(chain: Chain, id: string, source: string): Chain {
  const { definition } = registerCustomEffect(source);
  return updateStage(chain, id, (s) => ({
    ...s,
    effect: definition.id,
    params: validateParams(definition.params, s.params).values,
  }));
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
  // Custom effects are named by the hash of their source: a source that does not hash to its
  // name (edited by hand) is registered under its own and its stages follow it.
  const renamed = new Map<string, string>();
  const code = (data as SerializedChain).code;
  if (code !== undefined && (typeof code !== 'object' || code === null))
    problems.push("the custom effects' code is not readable; their stages were removed");
  else
    for (const [id, source] of Object.entries(code ?? {}))
      if (typeof source === 'string' && isCustomEffectId(id))
        renamed.set(id, registerCustomEffect(source).id);
  (data as SerializedChain).stages.forEach((raw, i) => {
    const name = typeof raw?.effect === 'string' ? (renamed.get(raw.effect) ?? raw.effect) : '';
    const effect = isCustomEffectId(name) && !renamed.has(raw.effect) ? undefined : findEntry(name);
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

function bytesToBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64UrlToBytes(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const toBase64Url = (text: string) => bytesToBase64Url(new TextEncoder().encode(text));
const fromBase64Url = (text: string) => new TextDecoder().decode(base64UrlToBytes(text));

/** Tokens that start with this are deflated JSON (a plain token is JSON, "ey…" in base64). */
const DEFLATED = 'z';

/**
 * The chain as a URL-hash-safe token: base64url of its JSON, deflated when that is shorter
 * (custom effects' sources travel in it).
 */
export function encodeChainForUrl(chain: Chain): string {
  const json = serializeChain(chain);
  const plain = toBase64Url(json);
  const packed = DEFLATED + bytesToBase64Url(deflateSync(new TextEncoder().encode(json)));
  return packed.length < plain.length ? packed : plain;
}

export function decodeChainFromUrl(token: string): { chain: Chain; problems: string[] } {
  let text: string;
  try {
    text = token.startsWith(DEFLATED)
      ? new TextDecoder().decode(inflateSync(base64UrlToBytes(token.slice(DEFLATED.length))))
      : fromBase64Url(token);
  } catch {
    throw new ChainFormatError('the link is damaged (not base64url)');
  }
  return parseChain(text);
}

/**
 * A chain of enabled stages from plain descriptions (built-in scenarios, tests, benchmarks),
 * validated like any untrusted chain: unknown effects are dropped and parameters clamped. A
 * stage with `code` is a custom effect with that source (its `effect` is ignored).
 */
export function chainFromStages(
  stages: readonly {
    effect: string;
    target?: string;
    params?: Record<string, unknown>;
    code?: string;
  }[],
): Chain {
  const code: Record<string, string> = {};
  const described = stages.map(({ code: source, ...s }) => {
    if (source === undefined) return { ...s, enabled: true };
    const id = registerCustomEffect(source).id;
    code[id] = source;
    return { ...s, effect: id, enabled: true };
  });
  return parseChain(JSON.stringify({ v: 1, stages: described, code })).chain;
}
