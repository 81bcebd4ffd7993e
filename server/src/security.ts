// Bearer tokens, Host, origin and path checks: pure functions the HTTP layer (http.ts) applies to
// every request. CORS headers and rate limiting are fastify's official plugins'.
import { createHash, timingSafeEqual } from 'node:crypto';
import { badRequest } from './errors.ts';

export const DEFAULT_CORS_ORIGINS = [
  'http://localhost:4173',
  'http://127.0.0.1:4173',
  'http://localhost:5173',
  'http://127.0.0.1:5173',
];

/** The names a loopback server answers to (any port). */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1'];

/** Whether `host` (a bind address) only listens on this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Whether a request's Host header names this server: its name without the port is in
 * `allowList` ('*' allows any). A page on another origin that reaches 127.0.0.1 through DNS
 * rebinding sends its own name, so it is refused. A request without Host (HTTP/1.0) passes.
 */
export function hostAllowed(host: string | undefined, allowList: readonly string[]): boolean {
  if (host === undefined || allowList.includes('*')) return true;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0];
  return allowList.includes(name.toLowerCase());
}

/** True when `authorization` is `Bearer <token>`; compared in constant time. */
export function hasToken(authorization: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]), digest(token));
}

export const EXPOSED_HEADERS = 'Inference-Header-Content-Length, Server-Timing, Retry-After';
export const ALLOWED_HEADERS = 'Authorization, Content-Type, Inference-Header-Content-Length';

/** '*' in the list allows every origin. */
export function originAllowed(origin: string, allowList: readonly string[]): boolean {
  return allowList.includes('*') || allowList.includes(origin);
}

/**
 * Throws 400 for a path fastify would route by its decoded segments but that no client of ours
 * sends: dot segments, encoded separators, control characters, bad percent-encoding. They are
 * refused rather than resolved, so a model can only be named by a plain segment.
 */
export function checkPath(url: string): void {
  for (const raw of url.split('?')[0].split('/').slice(1)) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      throw badRequest(`path segment '${raw.slice(0, 64)}' is not valid percent-encoding`);
    }
    // eslint-disable-next-line no-control-regex
    if (s === '.' || s === '..' || /[/\\\u0000-\u001f\u007f]/.test(s))
      throw badRequest(`path segment '${raw.slice(0, 64)}' is not allowed`);
  }
}
