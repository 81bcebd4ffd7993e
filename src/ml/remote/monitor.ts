import type { EndpointHealth, OipClient } from './client';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Polls an endpoint's health and reports each change. Polls faster while the endpoint is down,
 * so a server that comes back is noticed soon. `check()` polls now (a user's "Check" button, or
 * the engine after a failed call).
 */
export class EndpointMonitor {
  health: EndpointHealth = { state: 'unknown', detail: 'not checked yet' };
  readonly #client: OipClient;
  readonly #onChange: (health: EndpointHealth) => void;
  readonly #timers: Timers;
  readonly #everyMs: number;
  #timer: unknown = null;
  #stopped = false;

  constructor(
    client: OipClient,
    onChange: (health: EndpointHealth) => void,
    options: { everyMs?: number; timers?: Timers } = {},
  ) {
    this.#client = client;
    this.#onChange = onChange;
    this.#everyMs = options.everyMs ?? 5000;
    this.#timers = options.timers ?? {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (h) => globalThis.clearTimeout(h as number),
    };
  }

  get client(): OipClient {
    return this.#client;
  }

  async check(): Promise<EndpointHealth> {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    const health = await this.#client.health();
    if (this.#stopped) return health;
    if (health.state !== this.health.state || health.detail !== this.health.detail) {
      this.health = health;
      this.#onChange(health);
    }
    const wait = health.state === 'ready' ? this.#everyMs : Math.min(this.#everyMs, 1000);
    this.#timer = this.#timers.setTimeout(() => void this.check(), wait);
    return health;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
