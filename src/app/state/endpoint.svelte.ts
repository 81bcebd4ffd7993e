import type { KeyValueStorage } from '../../effects/lut/store';
import {
  DEFAULT_ENDPOINT,
  OipClient,
  type EndpointHealth,
  type EndpointSettings,
} from '../../ml/remote/client';
import { EndpointMonitor } from '../../ml/remote/monitor';

const ENDPOINT_KEY = 'triad.endpoint';

function load(storage: KeyValueStorage | null): EndpointSettings {
  try {
    const saved = JSON.parse(storage?.getItem(ENDPOINT_KEY) ?? 'null') as Partial<EndpointSettings>;
    if (!saved || typeof saved.url !== 'string') return DEFAULT_ENDPOINT;
    return {
      url: saved.url,
      token: typeof saved.token === 'string' ? saved.token : '',
      mode: saved.mode === 'json' ? 'json' : 'binary',
      timeoutMs:
        typeof saved.timeoutMs === 'number' && saved.timeoutMs > 0
          ? saved.timeoutMs
          : DEFAULT_ENDPOINT.timeoutMs,
    };
  } catch {
    return DEFAULT_ENDPOINT;
  }
}

/** Why a URL cannot be an endpoint (null when it can). */
export function endpointUrlProblem(url: string): string | null {
  try {
    // A throwaway parse, not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      return 'the endpoint URL must start with http:// or https://';
    return null;
  } catch {
    return `“${url}” is not a URL`;
  }
}

/**
 * The inference endpoint the app uses as its remote accelerator: where it is (saved in storage,
 * the token too — it is the user's own), and its health, polled while AI stages need it.
 */
export class EndpointState {
  settings = $state<EndpointSettings>(DEFAULT_ENDPOINT);
  health = $state.raw<EndpointHealth>({ state: 'unknown', detail: 'not checked yet' });
  #client: OipClient;
  #monitor: EndpointMonitor | null = null;
  readonly #storage: KeyValueStorage | null;
  readonly #onChange: (client: OipClient, health: EndpointHealth) => void;

  constructor(
    storage: KeyValueStorage | null,
    onChange: (client: OipClient, health: EndpointHealth) => void,
  ) {
    this.#storage = storage;
    this.#onChange = onChange;
    this.settings = load(storage);
    this.#client = new OipClient(this.settings);
  }

  get client(): OipClient {
    return this.#client;
  }

  /** Saves new settings and checks the endpoint; a bad URL is refused with the reason. */
  async configure(settings: EndpointSettings): Promise<string | null> {
    const problem = endpointUrlProblem(settings.url);
    if (problem) return problem;
    this.settings = settings;
    try {
      this.#storage?.setItem(ENDPOINT_KEY, JSON.stringify(settings));
    } catch {
      // not persisted
    }
    const watching = this.#monitor !== null;
    this.#monitor?.stop();
    this.#monitor = null;
    this.#client = new OipClient(settings);
    this.health = { state: 'unknown', detail: 'checking…' };
    this.#onChange(this.#client, this.health);
    if (watching) this.watch(true);
    else await this.check();
    return null;
  }

  /** Checks the endpoint now. */
  async check(): Promise<EndpointHealth> {
    if (this.#monitor) return this.#monitor.check();
    const client = this.#client;
    const health = await client.health();
    // A check of settings since replaced says nothing about the endpoint now.
    if (client === this.#client) this.#update(health);
    return health;
  }

  #update(health: EndpointHealth): void {
    this.health = health;
    this.#onChange(this.#client, health);
  }

  /** Polls the endpoint's health while something needs it (AI stages in the chain). */
  watch(on: boolean): void {
    if (on && !this.#monitor) {
      const monitor = new EndpointMonitor(this.#client, (h) => {
        if (this.#monitor === monitor) this.#update(h); // not a stopped one's last answer
      });
      this.#monitor = monitor;
      void monitor.check();
    } else if (!on && this.#monitor) {
      this.#monitor.stop();
      this.#monitor = null;
    }
  }

  dispose(): void {
    this.watch(false);
  }
}
