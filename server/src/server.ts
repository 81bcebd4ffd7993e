// The HTTP server: CORS, rate limit, auth and routing around the handlers, plus graceful
// shutdown. `startServer` is the in-process API; main.ts is the CLI around it.
import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { systemClock, type Clock } from './batcher.ts';
import { HttpError } from './errors.ts';
import { readBody, sendError, sendJson } from './http.ts';
import { CLIENT_GONE, handleInfer } from './infer.ts';
import { Metrics, type Outcome } from './metrics.ts';
import { loadRepository, type Model, type Provider, type ReadyModel } from './repository.ts';
import { METHODS, OPEN_ROUTES, matchRoute, type Route } from './routes.ts';
import {
  DEFAULT_CORS_ORIGINS,
  RateLimiter,
  LOOPBACK_HOSTS,
  corsHeaders,
  hasToken,
  hostAllowed,
  isLoopback,
  originAllowed,
  preflightHeaders,
} from './security.ts';
import { publicShape } from './config.ts';
import { parseJsonBody } from './protocol/json-body.ts';
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
export const SERVER_NAME = 'triad';
export const SERVER_VERSION = '0.1.0';
export const EXTENSIONS = ['binary_tensor_data', 'model_configuration'];

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
  const rate = options.rateLimit ?? 1000;
  const limiter =
    rate > 0 ? new RateLimiter(rate, Math.max(1, rate), () => clock.now()) : undefined;
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
    }),
  });
  for (const m of models.values()) {
    metrics.modelReady.set({ model: m.name }, m.state === 'READY' ? 1 : 0);
    if (m.state !== 'READY') continue;
    metrics.queueDepth.set({ model: m.name }, 0);
    metrics.runningRows.set({ model: m.name }, 0);
  }

  let draining = false;
  const inFlight = new Set<ServerResponse>();
  let drained: () => void = () => {};

  const findModel = (route: { model: string; version?: string }): Model => {
    const model = models.get(route.model);
    if (!model) throw new HttpError(404, `unknown model '${route.model}'`);
    if (route.version !== undefined && route.version !== '1')
      throw new HttpError(
        404,
        `model '${route.model}' has no version '${route.version.slice(0, 32)}' (versions: 1)`,
      );
    return model;
  };
  const ready = (model: Model): ReadyModel => {
    if (model.state !== 'READY')
      throw new HttpError(503, `model '${model.name}' is not ready: ${model.reason}`);
    if (model.runner.failure && !draining)
      throw new HttpError(503, `model '${model.name}' is not ready: ${model.runner.failure}`);
    return model;
  };

  async function dispatch(
    route: Route,
    req: IncomingMessage,
    res: ServerResponse,
    headers: Record<string, string>,
  ) {
    switch (route.kind) {
      case 'server-metadata':
        return sendJson(
          res,
          200,
          { name: SERVER_NAME, version: SERVER_VERSION, extensions: EXTENSIONS },
          headers,
        );
      case 'live':
        return sendJson(res, 200, { live: true }, headers);
      case 'ready':
        if (draining) throw new HttpError(503, 'server is shutting down');
        return sendJson(res, 200, { ready: true }, headers);
      case 'metrics': {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { ...headers, 'Content-Type': metrics.registry.contentType });
        return void res.end(text);
      }
      case 'repository-index': {
        const body = await readBody(req, maxBody, timeoutMs);
        const filter = parseIndexRequest(body);
        const list = [...models.values()]
          .filter((m) => filter === undefined || (m.state === 'READY') === filter)
          .map((m) => ({
            name: m.name,
            version: '1',
            state: m.state,
            ...(m.state === 'UNAVAILABLE' ? { reason: m.reason } : {}),
          }));
        return sendJson(res, 200, list, headers);
      }
      case 'model-metadata': {
        const { config } = ready(findModel(route));
        return sendJson(
          res,
          200,
          {
            name: config.name,
            versions: ['1'],
            platform: config.platform,
            inputs: config.input.map((t) => ({
              name: t.name,
              datatype: t.data_type,
              shape: publicShape(config, t),
            })),
            outputs: config.output.map((t) => ({
              name: t.name,
              datatype: t.data_type,
              shape: publicShape(config, t),
            })),
          },
          headers,
        );
      }
      case 'model-ready': {
        const model = ready(findModel(route));
        if (draining) throw new HttpError(503, 'server is shutting down');
        return sendJson(res, 200, { name: model.name, ready: true }, headers);
      }
      case 'model-config': {
        const model = findModel(route);
        if (!model.config)
          throw new HttpError(
            503,
            `model '${model.name}' has no valid config: ${model.state === 'UNAVAILABLE' ? model.reason : ''}`,
          );
        // The model file's path stays on the server.
        const { model_file: _file, ...config } = model.config;
        return sendJson(res, 200, config, headers);
      }
      case 'infer': {
        if (draining)
          throw new HttpError(503, 'server is shutting down; send the request elsewhere', {
            'Retry-After': '1',
          });
        const model = ready(findModel(route));
        const start = clock.now();
        let outcome: Outcome = 'success';
        try {
          const body = await readBody(req, maxBody, timeoutMs);
          await handleInfer({
            model,
            body,
            req,
            res,
            headers,
            metrics,
            deadlineMs: timeoutMs,
            limits,
            decoder,
          });
        } catch (e) {
          outcome = outcomeOf(e);
          throw e;
        } finally {
          metrics.requests.inc({ model: model.name, outcome });
          metrics.requestDuration.observe({ model: model.name }, (clock.now() - start) / 1000);
        }
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    inFlight.add(res);
    res.on('close', () => {
      inFlight.delete(res);
      if (draining && inFlight.size === 0) drained();
    });
    res.on('finish', () => metrics.http.inc({ code: String(res.statusCode) }));
    const headers: Record<string, string> = draining ? { Connection: 'close' } : {};
    try {
      if (!hostAllowed(req.headers.host, allowedHosts))
        throw new HttpError(
          403,
          `this server does not answer to the host '${(req.headers.host ?? '').slice(0, 100)}' (allowed: ${allowedHosts.join(', ')}; see --allowed-hosts)`,
        );
      const origin = req.headers.origin;
      if (origin !== undefined) {
        if (!originAllowed(origin, cors))
          throw new HttpError(403, `origin '${origin.slice(0, 100)}' is not allowed (see --cors)`);
        Object.assign(headers, corsHeaders(origin));
      }
      const wait = limiter?.take(req.socket.remoteAddress ?? '') ?? 0;
      if (wait > 0)
        throw new HttpError(429, `too many requests from this client; retry in ${wait} s`, {
          'Retry-After': String(wait),
        });
      if (req.method === 'OPTIONS') {
        const preflight =
          origin !== undefined && req.headers['access-control-request-method'] !== undefined;
        res.writeHead(204, {
          ...headers,
          ...(preflight
            ? preflightHeaders(
                origin,
                req.headers['access-control-request-private-network'] === 'true',
              )
            : {}),
          Allow: 'GET, POST, OPTIONS',
        });
        return void res.end();
      }
      const route = matchRoute(req.url ?? '/');
      if (!route)
        throw new HttpError(
          404,
          `no route for ${req.method} ${(req.url ?? '').split('?')[0].slice(0, 100)}`,
        );
      const methods = METHODS[route.kind];
      if (!methods.includes(req.method ?? ''))
        throw new HttpError(405, `${req.method} is not allowed here; use ${methods.join(', ')}`, {
          Allow: [...methods, 'OPTIONS'].join(', '),
        });
      if (
        options.token !== undefined &&
        !OPEN_ROUTES.has(route.kind) &&
        !hasToken(req.headers.authorization, options.token)
      )
        throw new HttpError(401, 'missing or wrong bearer token', {
          'WWW-Authenticate': 'Bearer realm="triad"',
        });
      await dispatch(route, req, res, headers);
    } catch (e) {
      const error =
        e instanceof HttpError ? e : new HttpError(500, `internal error: ${(e as Error).message}`);
      if (error.status === 500 && !(e instanceof HttpError)) console.error(e);
      // 408/413 leave an unread body behind: close the connection rather than read it.
      const close: Record<string, string> =
        error.status === 408 || error.status === 413 ? { Connection: 'close' } : {};
      if (!res.headersSent) sendError(res, error, { ...headers, ...close });
      else res.destroy();
    }
  }

  // Idle keep-alive connections stay open longer than clients keep them (undici: ~4 s less than
  // the server's hint; browsers longer), so a client never writes into a socket the server has
  // just closed (EPIPE) — seen between two 1080p JSON requests a few seconds apart.
  // Node checks headers and request timeouts every connectionsCheckingInterval (30 s by default).
  const server = createServer(
    { keepAliveTimeout: 65_000, connectionsCheckingInterval: 1_000 },
    (req, res) => void handle(req, res),
  );
  server.headersTimeout = Math.min(timeoutMs, 60_000);
  server.requestTimeout = timeoutMs + 5_000;
  // What Node's HTTP parser refuses before a handler runs gets an {"error"} body too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const response = (socket as { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent)
      return void socket.destroy();
    const status = clientErrorStatus(error.code);
    const body = JSON.stringify({ error: clientErrorMessage(status, error.code, timeoutMs) });
    metrics.http.inc({ code: String(status) });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8000, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
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
        server.closeIdleConnections();
        if (inFlight.size > 0) {
          const done = new Promise<void>((resolve) => (drained = resolve));
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([
            done,
            new Promise((r) => (timer = setTimeout(r, timeoutMs + 1_000))),
          ]);
          clearTimeout(timer);
        }
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
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

function outcomeOf(e: unknown): Outcome {
  if (!(e instanceof HttpError)) return 'error';
  if (e.status === 503) return 'rejected';
  if (e.status === 504) return 'timeout';
  if (e.status === CLIENT_GONE) return 'cancelled';
  return e.status < 500 ? 'invalid' : 'error';
}

/** The status for an error Node's HTTP parser raised (its `code`). */
function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

function clientErrorMessage(status: number, code: string | undefined, timeoutMs: number): string {
  if (status === 431) return 'request headers are too large';
  if (status === 408) return `request not received within ${timeoutMs} ms`;
  return `malformed HTTP request (${code ?? 'unknown parse error'})`;
}

/** `POST /v2/repository/index` takes an empty body or `{"ready": bool}` to filter. */
function parseIndexRequest(body: Buffer): boolean | undefined {
  if (body.length === 0) return undefined;
  const raw = parseJsonBody(body);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new HttpError(400, 'request must be a JSON object');
  const ready = (raw as Record<string, unknown>).ready;
  if (ready !== undefined && typeof ready !== 'boolean')
    throw new HttpError(400, 'ready must be a boolean');
  return ready;
}
