// The Open Inference Protocol's routes on the fastify instance (http.ts guards them): metadata,
// health, the repository index, model metadata / readiness / config, inference, and /metrics.
// Every path answers 405 with Allow to the methods it does not take.
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Clock } from './batcher.ts';
import { MODEL_NAME, publicShape } from './config.ts';
import type { CostLimits } from './cost.ts';
import type { RequestDecoder } from './decode/decoder.ts';
import { HttpError, badRequest } from './errors.ts';
import { sendJson } from './http.ts';
import { CLIENT_GONE, handleInfer } from './infer.ts';
import type { Metrics, Outcome } from './metrics.ts';
import { parseJsonBody } from './protocol/json-body.ts';
import type { Model, ReadyModel } from './repository.ts';

export const SERVER_NAME = 'triad';
export const SERVER_VERSION = '0.1.0';
export const EXTENSIONS = ['binary_tensor_data', 'model_configuration'];

export interface RouteContext {
  models: ReadonlyMap<string, Model>;
  metrics: Metrics;
  limits: CostLimits;
  decoder: RequestDecoder;
  clock: Clock;
  /** Limit for queue + inference (504), ms. */
  timeoutMs: number;
  /** True once the server drains: not ready, no new inference. */
  draining(): boolean;
}

type Params = { model?: string; version?: string };
type Request = FastifyRequest<{ Params: Params }>;
type Handler = (request: Request, reply: FastifyReply) => Promise<unknown> | unknown;

interface RouteSpec {
  method: 'GET' | 'POST';
  /** Paths under /v2/models/:model also answer under /v2/models/:model/versions/:version. */
  path: string;
  /** Answers without a bearer token. */
  open?: boolean;
  handler: Handler;
}

/** Methods a path that does not take them answers 405 to (OPTIONS is CORS's). */
const OTHER_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'];

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const spec of routes(ctx)) {
    const paths = spec.path.startsWith('/v2/models/:model')
      ? [spec.path, spec.path.replace(':model', ':model/versions/:version')]
      : [spec.path];
    // A GET route answers HEAD too (fastify's exposeHeadRoutes).
    const allowed = spec.method === 'GET' ? ['GET', 'HEAD'] : [spec.method];
    const refused = OTHER_METHODS.filter((m) => !allowed.includes(m));
    const allow = [spec.method, 'OPTIONS'].join(', ');
    for (const url of paths) {
      app.route({ method: spec.method, url, config: { open: spec.open }, handler: spec.handler });
      app.route({
        method: refused,
        url,
        config: { open: true },
        handler: async (request) => {
          throw new HttpError(405, `${request.method} is not allowed here; use ${spec.method}`, {
            Allow: allow,
          });
        },
      });
    }
  }
}

function routes(ctx: RouteContext): RouteSpec[] {
  const { models, metrics } = ctx;
  const json = (reply: FastifyReply, body: unknown) => sendJson(reply, 200, body);
  const model = (request: Request): Model => findModel(models, request.params);
  const ready = (request: Request): ReadyModel => {
    const m = model(request);
    if (m.state !== 'READY')
      throw new HttpError(503, `model '${m.name}' is not ready: ${m.reason}`);
    if (m.runner.failure && !ctx.draining())
      throw new HttpError(503, `model '${m.name}' is not ready: ${m.runner.failure}`);
    return m;
  };
  return [
    {
      method: 'GET',
      path: '/v2',
      handler: (_, reply) =>
        json(reply, { name: SERVER_NAME, version: SERVER_VERSION, extensions: EXTENSIONS }),
    },
    {
      method: 'GET',
      path: '/v2/health/live',
      open: true,
      handler: (_, r) => json(r, { live: true }),
    },
    {
      method: 'GET',
      path: '/v2/health/ready',
      open: true,
      handler: (_, reply) => {
        if (ctx.draining()) throw new HttpError(503, 'server is shutting down');
        return json(reply, { ready: true });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_, reply) => {
        const text = await metrics.registry.metrics();
        return reply.type(metrics.registry.contentType).send(text);
      },
    },
    {
      method: 'POST',
      path: '/v2/repository/index',
      handler: (request, reply) => {
        const filter = parseIndexRequest(bodyOf(request));
        const list = [...models.values()]
          .filter((m) => filter === undefined || (m.state === 'READY') === filter)
          .map((m) => ({
            name: m.name,
            version: '1',
            state: m.state,
            ...(m.state === 'UNAVAILABLE' ? { reason: m.reason } : {}),
          }));
        return json(reply, list);
      },
    },
    {
      method: 'GET',
      path: '/v2/models/:model',
      handler: (request, reply) => {
        const { config } = ready(request);
        const tensor = (t: (typeof config.input)[number]) => ({
          name: t.name,
          datatype: t.data_type,
          shape: publicShape(config, t),
        });
        return json(reply, {
          name: config.name,
          versions: ['1'],
          platform: config.platform,
          inputs: config.input.map(tensor),
          outputs: config.output.map(tensor),
        });
      },
    },
    {
      method: 'GET',
      path: '/v2/models/:model/ready',
      handler: (request, reply) => {
        const m = ready(request);
        if (ctx.draining()) throw new HttpError(503, 'server is shutting down');
        return json(reply, { name: m.name, ready: true });
      },
    },
    {
      method: 'GET',
      path: '/v2/models/:model/config',
      handler: (request, reply) => {
        const m = model(request);
        if (!m.config)
          throw new HttpError(
            503,
            `model '${m.name}' has no valid config: ${m.state === 'UNAVAILABLE' ? m.reason : ''}`,
          );
        // The model file's path stays on the server.
        const { model_file: _file, ...config } = m.config;
        return json(reply, config);
      },
    },
    {
      method: 'POST',
      path: '/v2/models/:model/infer',
      handler: async (request, reply) => {
        if (ctx.draining())
          throw new HttpError(503, 'server is shutting down; send the request elsewhere', {
            'Retry-After': '1',
          });
        const m = ready(request);
        const start = ctx.clock.now();
        let outcome: Outcome = 'success';
        try {
          const answer = await handleInfer({
            model: m,
            body: bodyOf(request),
            req: request.raw,
            res: reply.raw,
            metrics,
            deadlineMs: ctx.timeoutMs,
            limits: ctx.limits,
            decoder: ctx.decoder,
          });
          if (answer.body.length === 1)
            return reply.code(200).headers(answer.headers).send(answer.body[0]);
          // The binary tensors written as they are: through fastify's send they would be copied
          // into one buffer or piped as a stream, both measurably slower for a 24 MB frame.
          // (onResponse hooks still run: they listen for the response's end.)
          reply.hijack();
          reply.raw.writeHead(200, {
            ...(reply.getHeaders() as OutgoingHttpHeaders),
            ...answer.headers,
          });
          for (const chunk of answer.body) reply.raw.write(chunk);
          reply.raw.end();
          return reply;
        } catch (e) {
          outcome = outcomeOf(e);
          throw e;
        } finally {
          metrics.requests.inc({ model: m.name, outcome });
          metrics.requestDuration.observe({ model: m.name }, (ctx.clock.now() - start) / 1000);
        }
      },
    },
  ];
}

function findModel(models: ReadonlyMap<string, Model>, params: Params): Model {
  const name = params.model ?? '';
  if (!MODEL_NAME.test(name)) throw badRequest(`model name '${name.slice(0, 64)}' is not valid`);
  const model = models.get(name);
  if (!model) throw new HttpError(404, `unknown model '${name}'`);
  if (params.version !== undefined && params.version !== '1')
    throw new HttpError(
      404,
      `model '${name}' has no version '${params.version.slice(0, 32)}' (versions: 1)`,
    );
  return model;
}

/** The raw body (http.ts parses every content type as bytes); empty when there was none. */
function bodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

function outcomeOf(e: unknown): Outcome {
  if (!(e instanceof HttpError)) return 'error';
  if (e.status === 503) return 'rejected';
  if (e.status === 504) return 'timeout';
  if (e.status === CLIENT_GONE) return 'cancelled';
  return e.status < 500 ? 'invalid' : 'error';
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
