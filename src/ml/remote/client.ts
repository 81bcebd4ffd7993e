import { decodeResponse, encodeRequest, type Tensor } from './codec';

/** Where the endpoint is and how to talk to it. */
export interface EndpointSettings {
  /** Base URL, e.g. http://127.0.0.1:8000 (a Triton or KServe server works too). */
  url: string;
  /** Bearer token, when the endpoint asks for one. */
  token: string;
  /** Binary tensor data (default) or plain JSON. */
  mode: 'binary' | 'json';
  /** A request that takes longer fails with a timeout. */
  timeoutMs: number;
}

export const DEFAULT_ENDPOINT: EndpointSettings = {
  url: 'http://127.0.0.1:8000',
  token: '',
  mode: 'binary',
  timeoutMs: 30_000,
};

export type RemoteErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'cancelled'
  | 'unauthorized'
  | 'not-found'
  | 'bad-request'
  | 'overloaded'
  | 'server'
  | 'protocol';

/** A failed call, with what kind of failure it was (the scheduler treats some as transient). */
export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    readonly kind: RemoteErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** One round trip, split for the latency model. */
export interface RoundTrip {
  serializeMs: number;
  /** Network and the server's queue: the round trip minus the server's compute time. */
  networkQueueMs: number;
  /** The server's own compute time (from its Server-Timing header; 0 when it sends none). */
  computeMs: number;
  /** The server's queue time, when it says (part of networkQueueMs). */
  queueMs: number;
  deserializeMs: number;
}

export interface EndpointHealth {
  state: 'unknown' | 'ready' | 'not-ready' | 'unreachable' | 'unauthorized';
  detail: string;
}

export interface ModelMetadata {
  name: string;
  platform?: string;
  inputs: { name: string; datatype: string; shape: number[] }[];
  outputs: { name: string; datatype: string; shape: number[] }[];
}

/**
 * Whether an endpoint URL names this machine (loopback): its compute then shares the cores the
 * page's own CPU work uses.
 */
export function isLocalEndpoint(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  );
}

function serverTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of header?.split(',') ?? []) {
    const [name, ...params] = part.trim().split(';');
    const dur = params.map((p) => p.trim()).find((p) => p.startsWith('dur='));
    if (name && dur) out[name] = Number(dur.slice(4)) || 0;
  }
  return out;
}

/**
 * A client of an Open Inference Protocol v2 endpoint (our server, Triton, KServe): binary tensor
 * data by default, JSON on request; every call has a timeout and can be cancelled; errors come
 * back as `RemoteError` with a kind.
 */
export class OipClient {
  readonly settings: EndpointSettings;
  readonly #fetch: typeof fetch;

  constructor(settings: EndpointSettings, fetchImpl: typeof fetch = fetch.bind(globalThis)) {
    this.settings = { ...settings, url: settings.url.replace(/\/+$/, '') };
    this.#fetch = fetchImpl;
  }

  async #call(path: string, init: RequestInit = {}, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers = new Headers(init.headers);
    if (this.settings.token) headers.set('Authorization', `Bearer ${this.settings.token}`);
    let response: Response;
    try {
      response = await this.#fetch(`${this.settings.url}${path}`, {
        ...init,
        headers,
        signal: combined,
      });
    } catch (error) {
      if (signal?.aborted) throw new RemoteError('cancelled', 'the request was cancelled');
      if (timeout.aborted)
        throw new RemoteError('timeout', `no answer within ${this.settings.timeoutMs} ms`);
      // fetch says "fetch failed" (Node) or "Failed to fetch" (browsers); the cause says more.
      const cause = (error as { cause?: unknown }).cause;
      const why = [error, cause]
        .filter((e): e is Error => e instanceof Error)
        .map((e) => e.message)
        .join(': ');
      throw new RemoteError(
        'unreachable',
        `the endpoint ${this.settings.url} cannot be reached (${why || String(error)})`,
      );
    }
    if (response.ok) return response;
    let detail = `HTTP ${response.status}`;
    try {
      const body = (await response.json()) as { error?: string };
      if (body.error) detail = body.error;
    } catch {
      // not JSON: keep the status
    }
    const retry = Number(response.headers.get('Retry-After'));
    const retryAfterMs = Number.isFinite(retry) && retry > 0 ? retry * 1000 : undefined;
    const kind: RemoteErrorKind =
      response.status === 401 || response.status === 403
        ? 'unauthorized'
        : response.status === 404
          ? 'not-found'
          : response.status === 429 || response.status === 503
            ? 'overloaded'
            : response.status >= 500
              ? 'server'
              : 'bad-request';
    throw new RemoteError(kind, detail, response.status, retryAfterMs);
  }

  /** What the endpoint says of its health (GET /v2/health/ready), never throwing. */
  async health(signal?: AbortSignal): Promise<EndpointHealth> {
    try {
      await this.#call('/v2/health/ready', {}, signal);
      // Health may be open to all; the server metadata tells whether the token is accepted.
      const meta = await this.serverMetadata(signal);
      return {
        state: 'ready',
        detail: `${meta.name ?? 'the endpoint'} at ${this.settings.url} is ready`,
      };
    } catch (error) {
      const e =
        error instanceof RemoteError ? error : new RemoteError('unreachable', String(error));
      if (e.kind === 'unreachable' || e.kind === 'timeout')
        return { state: 'unreachable', detail: e.message };
      if (e.kind === 'unauthorized')
        return { state: 'unauthorized', detail: `the endpoint refused the token (${e.message})` };
      if (e.kind === 'cancelled') return { state: 'unknown', detail: e.message };
      return { state: 'not-ready', detail: e.message };
    }
  }

  async serverMetadata(
    signal?: AbortSignal,
  ): Promise<{ name: string; version: string; extensions: string[] }> {
    return (await this.#call('/v2', {}, signal)).json();
  }

  async modelMetadata(model: string, signal?: AbortSignal): Promise<ModelMetadata> {
    return (await this.#call(`/v2/models/${encodeURIComponent(model)}`, {}, signal)).json();
  }

  /** Runs one inference; the outputs come back with the round trip's timing split. */
  async infer(
    model: string,
    inputs: readonly Tensor[],
    options: { outputs?: readonly string[]; signal?: AbortSignal } = {},
  ): Promise<{ outputs: Tensor[]; timing: RoundTrip }> {
    const t0 = performance.now();
    const request = encodeRequest(inputs, {
      outputs: options.outputs,
      binary: this.settings.mode === 'binary',
    });
    const t1 = performance.now();
    const response = await this.#call(
      `/v2/models/${encodeURIComponent(model)}/infer`,
      { method: 'POST', headers: request.headers, body: request.body as BodyInit },
      options.signal,
    );
    const body = new Uint8Array(await response.arrayBuffer());
    const t2 = performance.now();
    const header = response.headers.get('Inference-Header-Content-Length');
    let decoded;
    try {
      decoded = decodeResponse(body, header === null ? null : Number(header));
    } catch (error) {
      throw new RemoteError(
        'protocol',
        `the endpoint's answer is malformed: ${(error as Error).message}`,
      );
    }
    const t3 = performance.now();
    const server = serverTiming(response.headers.get('Server-Timing'));
    const computeMs = Math.min(server.compute ?? 0, t2 - t1);
    return {
      outputs: decoded.outputs,
      timing: {
        serializeMs: t1 - t0,
        networkQueueMs: t2 - t1 - computeMs,
        computeMs,
        queueMs: server.queue ?? 0,
        deserializeMs: t3 - t2,
      },
    };
  }
}
