// Bearer tokens, Host and CORS checks, per-client rate limiting. Pure functions and a
// clock-injected limiter.
import { createHash, timingSafeEqual } from 'node:crypto';

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

/** Headers for a response to an allowed cross-origin request. */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    Vary: 'Origin',
  };
}

/** Headers answering an allowed preflight (OPTIONS) request. */
export function preflightHeaders(origin: string, privateNetwork: boolean): Record<string, string> {
  return {
    ...corsHeaders(origin),
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    'Access-Control-Max-Age': '600',
    ...(privateNetwork ? { 'Access-Control-Allow-Private-Network': 'true' } : {}),
  };
}

/**
 * A token bucket per client: `rate` requests a second on average, bursts up to `burst`.
 * `take` answers 0 when the request may go, else the seconds until a token is back.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;

  constructor(rate: number, burst: number, now: () => number) {
    this.#rate = rate;
    this.#burst = burst;
    this.#now = now;
  }

  take(client: string): number {
    const now = this.#now();
    const b = this.#buckets.get(client) ?? { tokens: this.#burst, at: now };
    b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#rate);
    b.at = now;
    this.#buckets.set(client, b);
    if (this.#buckets.size > 10_000) this.#prune(now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.#rate);
  }

  /** Forgets clients whose buckets have refilled: they would start full anyway. */
  #prune(now: number): void {
    for (const [k, b] of this.#buckets)
      if (b.tokens + ((now - b.at) / 1000) * this.#rate >= this.#burst) this.#buckets.delete(k);
  }
}
