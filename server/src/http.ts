// The fastify instance around the protocol routes: Host, origin, path and token checks, CORS
// (@fastify/cors), per-client rate limiting (@fastify/rate-limit), raw bodies up to a limit, and
// an {"error"} body for every rejection — fastify's own, Node's parser's and ours.
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { HttpError } from './errors.ts';
import type { Metrics } from './metrics.ts';
import {
  ALLOWED_HEADERS,
  EXPOSED_HEADERS,
  checkPath,
  hasToken,
  hostAllowed,
  originAllowed,
} from './security.ts';

export interface AppOptions {
  allowedHosts: readonly string[];
  cors: readonly string[];
  token: string | undefined;
  maxBodyBytes: number;
  /** Requests a second per client address; 0: no limit. */
  rateLimit: number;
  timeoutMs: number;
  metrics: Metrics;
  /** pino level for the structured log on stdout (requests are logged at 'info'). */
  logLevel: string;
  /** Called for every request as it arrives (the server tracks what is in flight). */
  onRequest(res: ServerResponse): void;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answers without a bearer token (the health probes). */
    open?: boolean;
  }
}

/** A fastify instance with every guard in place and no routes yet; register them next. */
export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const { metrics, timeoutMs } = options;
  const app = Fastify({
    logger: { level: options.logLevel },
    bodyLimit: options.maxBodyBytes,
    // Model names may be 128 characters (config.ts MODEL_NAME).
    routerOptions: { maxParamLength: 256 },
    // Node's own limit for receiving a whole request (408), checked every second.
    requestTimeout: timeoutMs,
    // Idle keep-alive connections stay open longer than clients keep them (undici: ~4 s less than
    // the server's hint; browsers longer), so a client never writes into a socket the server has
    // just closed (EPIPE) — seen between two 1080p JSON requests a few seconds apart.
    keepAliveTimeout: 65_000,
    http: { connectionsCheckingInterval: 1_000 },
    // Draining is the server's: it keeps listening and answers 503 itself (server.ts).
    return503OnClosing: false,
    clientErrorHandler: (error: NodeJS.ErrnoException, socket: Duplex) =>
      clientError(error, socket, timeoutMs, metrics),
    frameworkErrors: (error, _request, reply) => sendError(reply, toHttpError(error)),
  });
  app.server.headersTimeout = Math.min(timeoutMs, 60_000);

  // Every body arrives as raw bytes: JSON and the binary extension are the protocol code's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  // Callback hooks, not async ones: no promise per hook per request.
  app.addHook('onRequest', (request, reply, done) => {
    options.onRequest(reply.raw);
    try {
      guard(request, reply, options);
      done();
    } catch (e) {
      done(e as Error);
    }
  });
  app.addHook('onResponse', (_request, reply, done) => {
    metrics.http.inc({ code: String(reply.statusCode) });
    done();
  });

  await app.register(cors, {
    origin: options.cors.includes('*') ? true : [...options.cors],
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    strictPreflight: false,
  });
  if (options.rateLimit > 0)
    await app.register(rateLimit, {
      max: options.rateLimit,
      timeWindow: 1_000,
      errorResponseBuilder: (_request, context) =>
        new HttpError(429, `too many requests from this client; retry in ${context.after}`),
    });

  // After the rate limit's hook (registered above), so a flood of bad tokens is limited too.
  const { token } = options;
  if (token !== undefined)
    app.addHook('onRoute', (route) => {
      if (route.config?.open || route.method === 'OPTIONS') return;
      const check = (request: FastifyRequest, _reply: FastifyReply, done: (e?: Error) => void) =>
        done(
          hasToken(request.headers.authorization, token)
            ? undefined
            : new HttpError(401, 'missing or wrong bearer token', {
                'WWW-Authenticate': 'Bearer realm="triad"',
              }),
        );
      route.onRequest = [route.onRequest ?? []].flat().concat(check);
    });

  app.setErrorHandler((error, request, reply) => {
    const e = toHttpError(error, request);
    if (e.status === 500) request.log.error(error);
    sendError(reply, e);
  });
  app.setNotFoundHandler((request) => {
    throw new HttpError(
      404,
      `no route for ${request.method} ${(request.raw.url ?? '').split('?')[0].slice(0, 100)}`,
    );
  });
  return app;
}

/** Host, Origin and path checks; PNA for preflights (before CORS's hook, which answers them). */
function guard(request: FastifyRequest, reply: FastifyReply, options: AppOptions): void {
  const host = request.headers.host;
  if (!hostAllowed(host, options.allowedHosts))
    throw new HttpError(
      403,
      `this server does not answer to the host '${(host ?? '').slice(0, 100)}' (allowed: ${options.allowedHosts.join(', ')}; see --allowed-hosts)`,
    );
  const origin = request.headers.origin;
  if (origin !== undefined && !originAllowed(origin, options.cors))
    throw new HttpError(403, `origin '${origin.slice(0, 100)}' is not allowed (see --cors)`);
  checkPath(request.raw.url ?? '/');
  // Chrome's Private Network Access: a public page may reach a loopback endpoint once allowed.
  if (
    request.method === 'OPTIONS' &&
    request.headers['access-control-request-private-network'] === 'true'
  )
    reply.header('Access-Control-Allow-Private-Network', 'true');
}

export function sendJson(
  reply: FastifyReply,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FastifyReply {
  return (
    reply
      .code(status)
      .headers({ ...headers, 'Content-Type': 'application/json' })
      // As bytes: fastify would append '; charset=utf-8' to a string's JSON type.
      .send(Buffer.from(JSON.stringify(body)))
  );
}

function sendError(reply: FastifyReply, error: HttpError): FastifyReply {
  // 408/413 leave an unread body behind: close the connection rather than read it.
  if (error.status === 408 || error.status === 413) reply.header('Connection', 'close');
  return sendJson(reply, error.status, { error: error.message }, error.headers);
}

/** Our errors as they are; fastify's and the plugins' in the same words as ours. */
function toHttpError(error: unknown, request?: FastifyRequest): HttpError {
  if (error instanceof HttpError) return error;
  const { code, statusCode: status, message } = error as Partial<FastifyError>;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = request?.routeOptions.bodyLimit;
    const declared = Number(request?.headers['content-length'] ?? 0);
    return new HttpError(
      413,
      declared > (limit ?? Infinity)
        ? `request body of ${declared} bytes is over the limit of ${limit} bytes`
        : `request body is over the limit of ${limit} bytes`,
    );
  }
  if (code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH')
    return new HttpError(400, 'request body length does not match its Content-Length');
  if (code === 'FST_ERR_BAD_URL')
    return new HttpError(400, 'the path is not valid percent-encoding');
  if (code === 'FST_ERR_ASYNC_CONSTRAINT' || status === undefined || status >= 500)
    return new HttpError(500, `internal error: ${message}`);
  return new HttpError(status, message ?? STATUS_CODES[status] ?? 'request refused');
}

/** What Node's HTTP parser refuses before any handler runs gets an {"error"} body too. */
function clientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  timeoutMs: number,
  metrics: Metrics,
): void {
  const response = (socket as { _httpMessage?: ServerResponse })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent)
    return void socket.destroy();
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
  const message =
    status === 431
      ? 'request headers are too large'
      : status === 408
        ? `request not received within ${timeoutMs} ms`
        : `malformed HTTP request (${error.code ?? 'unknown parse error'})`;
  const body = JSON.stringify({ error: message });
  metrics.http.inc({ code: String(status) });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
