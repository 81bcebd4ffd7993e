// The endpoint's lifecycle: load the model repository, serve it over HTTP (fastify: http.ts,
// routes.ts), and drain gracefully. `startServer` is the in-process API; main.ts is the CLI.
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { systemClock, type Clock } from './batcher.ts';
import { createApp } from './http.ts';
import { Metrics } from './metrics.ts';
import { loadRepository, type Model, type Provider } from './repository.ts';
import { registerRoutes } from './routes.ts';
import { DEFAULT_CORS_ORIGINS, LOOPBACK_HOSTS, isLoopback } from './security.ts';
import { DEFAULT_COST_LIMITS, type CostLimits } from './cost.ts';
import { RequestDecoder } from './decode/decoder.ts';

export interface ServerOptions {
  /** Default 127.0.0.1: loopback only. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** Default server/model-repository. */
  repository?: string;
  /** When set, every route but the health probes needs `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Names the server answers to in the Host header ('*': any). Default: the loopback names and
   * the bind address; any when a token is set or `insecure` (the token is then the protection).
   */
  allowedHosts?: readonly string[];
  /** Listen on a non-loopback address without a token (refused otherwise). */
  insecure?: boolean;
  /** Allowed browser origins; '*' allows any. Default: the app's own dev and preview origins. */
  cors?: readonly string[];
  /** Request body limit in bytes; default 64 MiB. */
  maxBodyBytes?: number;
  /** Requests a second per client address (token bucket, burst of the same size); 0 turns it off. */
  rateLimit?: number;
  /** Limit for receiving a body (408) and for queue + inference (504), ms; default 30 000. */
  timeoutMs?: number;
  /** Input elements per request for models whose config sets no cost.max_input_elements. */
  maxInputElements?: number;
  /** Elements one output may have in a JSON answer (larger ones must be asked for in binary). */
  maxJsonElements?: number;
  /** Structured log level on stdout (pino: 'info' logs every request); default 'warn'. */
  logLevel?: string;
  provider?: Provider;
  clock?: Clock;
}

export interface RunningServer {
  url: string;
  models: ReadonlyMap<string, Model>;
  readyModels: number;
  /** Stops accepting, turns not ready, drains in-flight requests, releases the sessions. */
  close(): Promise<void>;
}

export const DEFAULT_REPOSITORY = fileURLToPath(new URL('../model-repository', import.meta.url));

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && options.token === undefined && !options.insecure)
    throw new Error(
      `refusing to listen on ${host} without a token: anyone who can reach it could use the models and read their metrics. Give --token (or TRIAD_ENDPOINT_TOKEN), or --insecure to do it anyway`,
    );
  const allowedHosts =
    options.allowedHosts ??
    (options.token !== undefined || options.insecure ? ['*'] : [...LOOPBACK_HOSTS, host]);
  const maxBody = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const cors = options.cors ?? DEFAULT_CORS_ORIGINS;
  const clock = options.clock ?? systemClock;
  const decoder = new RequestDecoder();
  const limits: CostLimits = {
    maxInputElements: options.maxInputElements ?? DEFAULT_COST_LIMITS.maxInputElements,
    maxJsonElements: options.maxJsonElements ?? DEFAULT_COST_LIMITS.maxJsonElements,
  };
  const metrics = new Metrics();
  const models = await loadRepository(options.repository ?? DEFAULT_REPOSITORY, {
    provider: options.provider ?? 'cpu',
    clock,
    hooks: (model) => ({
      onDepth: (depth) => metrics.queueDepth.set({ model }, depth),
      onStart: (rows) => metrics.runningRows.set({ model }, rows),
      onBatch: (rows, ms) => {
        metrics.runningRows.set({ model }, 0);
        metrics.batchSize.observe({ model }, rows);
        metrics.computeDuration.observe({ model }, ms / 1000);
      },
      onStopped: () => metrics.runsStopped.inc({ model }),
      onRestarted: () => metrics.modelRestarts.inc({ model }),
    }),
  });
  for (const m of models.values()) {
    metrics.modelReady.set({ model: m.name }, m.state === 'READY' ? 1 : 0);
    if (m.state !== 'READY') continue;
    metrics.queueDepth.set({ model: m.name }, 0);
    metrics.runningRows.set({ model: m.name }, 0);
    metrics.runsStopped.inc({ model: m.name }, 0);
  }

  let draining = false;
  const inFlight = new Set<ServerResponse>();
  let drained: () => void = () => {};
  const app = await createApp({
    allowedHosts,
    cors,
    token: options.token,
    maxBodyBytes: maxBody,
    rateLimit: options.rateLimit ?? 1000,
    timeoutMs,
    metrics,
    logLevel: options.logLevel ?? 'warn',
    onRequest(res) {
      // While draining, every answer tells its client to hang up.
      if (draining) res.setHeader('Connection', 'close');
      inFlight.add(res);
      res.on('close', () => {
        inFlight.delete(res);
        if (draining && inFlight.size === 0) drained();
      });
    },
  });
  registerRoutes(app, {
    models,
    metrics,
    limits,
    decoder,
    clock,
    timeoutMs,
    draining: () => draining,
  });
  await app.listen({ port: options.port ?? 8000, host });
  const { port } = app.server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    models,
    readyModels: [...models.values()].filter((m) => m.state === 'READY').length,
    close() {
      closing ??= (async () => {
        // Draining: still listening, so readiness answers 503 (a load balancer takes the server
        // out) and new inference requests 503, while the requests it has finish.
        draining = true;
        // Answers still to be written tell their clients to hang up.
        for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
        app.server.closeIdleConnections();
        if (inFlight.size > 0) {
          const done = new Promise<void>((resolve) => (drained = resolve));
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([
            done,
            new Promise((r) => (timer = setTimeout(r, timeoutMs + 1_000))),
          ]);
          clearTimeout(timer);
        }
        const closed = app.close();
        app.server.closeAllConnections();
        await closed;
        for (const m of models.values())
          if (m.state === 'READY') {
            await m.batcher.idle();
            await m.runner.close();
          }
        await decoder.close();
      })();
      return closing;
    },
  };
}
