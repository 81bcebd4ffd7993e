// Maps a raw request path onto a route. Paths are parsed without URL normalisation, so dot
// segments and encoded separators are refused rather than resolved, and a model can only be
// named by a segment that matches MODEL_NAME.
import { MODEL_NAME } from './config.ts';
import { badRequest } from './errors.ts';

export type Route =
  | { kind: 'server-metadata' }
  | { kind: 'live' }
  | { kind: 'ready' }
  | { kind: 'metrics' }
  | { kind: 'repository-index' }
  | {
      kind: 'model-metadata' | 'model-ready' | 'model-config' | 'infer';
      model: string;
      version?: string;
    };

/** The methods each route answers (OPTIONS is handled before routing). */
export const METHODS: Record<Route['kind'], readonly string[]> = {
  'server-metadata': ['GET'],
  live: ['GET'],
  ready: ['GET'],
  metrics: ['GET'],
  'repository-index': ['POST'],
  'model-metadata': ['GET'],
  'model-ready': ['GET'],
  'model-config': ['GET'],
  infer: ['POST'],
};

/** Routes that answer without a bearer token: liveness and readiness probes. */
export const OPEN_ROUTES: ReadonlySet<Route['kind']> = new Set(['live', 'ready']);

/** The route for `url` (path and query), undefined when none; throws 400 on unsafe paths. */
export function matchRoute(url: string): Route | undefined {
  const path = url.split('?')[0];
  if (!path.startsWith('/')) return undefined;
  const segments = path
    .slice(1)
    .split('/')
    .map((raw) => {
      let s: string;
      try {
        s = decodeURIComponent(raw);
      } catch {
        throw badRequest(`path segment '${raw.slice(0, 64)}' is not valid percent-encoding`);
      }
      // eslint-disable-next-line no-control-regex
      if (s === '.' || s === '..' || /[/\\\u0000-\u001f\u007f]/.test(s))
        throw badRequest(`path segment '${raw.slice(0, 64)}' is not allowed`);
      return s;
    });
  const [root, a, b, ...rest] = segments;
  if (root === 'metrics' && segments.length === 1) return { kind: 'metrics' };
  if (root !== 'v2') return undefined;
  if (segments.length === 1) return { kind: 'server-metadata' };
  if (a === 'health' && rest.length === 0) {
    if (b === 'live') return { kind: 'live' };
    if (b === 'ready') return { kind: 'ready' };
    return undefined;
  }
  if (a === 'repository' && b === 'index' && rest.length === 0) return { kind: 'repository-index' };
  if (a !== 'models' || b === undefined) return undefined;
  if (!MODEL_NAME.test(b)) throw badRequest(`model name '${b.slice(0, 64)}' is not valid`);
  let tail = rest;
  let version: string | undefined;
  if (tail[0] === 'versions') {
    if (tail.length < 2 || tail[1] === '') return undefined;
    version = tail[1];
    tail = tail.slice(2);
  }
  const model = { model: b, ...(version !== undefined ? { version } : {}) };
  if (tail.length === 0) return { kind: 'model-metadata', ...model };
  if (tail.length > 1) return undefined;
  if (tail[0] === 'ready') return { kind: 'model-ready', ...model };
  if (tail[0] === 'infer') return { kind: 'infer', ...model };
  if (tail[0] === 'config') return { kind: 'model-config', ...model };
  return undefined;
}
