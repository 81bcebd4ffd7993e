// POST …/infer: validate, queue, run, answer (JSON or Triton binary framing).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { QueueFullError, type Submission } from './batcher.ts';
import { needsTiles, runTiled } from './tiling.ts';
import { checkCost, checkJsonOutput, type CostLimits } from './cost.ts';
import { HttpError } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { HEADER_LENGTH, encodeBinary } from './protocol/binary.ts';
import { encodeJson } from './protocol/json.ts';
import { batchKey, type OutputTensor, type Outputs, type ReadyModel } from './repository.ts';
import type { TensorData } from './protocol/datatypes.ts';
import type { InferRequest } from './validate.ts';
import type { RequestDecoder } from './decode/decoder.ts';

export interface InferContext {
  model: ReadyModel;
  body: Buffer;
  req: IncomingMessage;
  /** Watched for the client hanging up; the answer is written by the caller. */
  res: ServerResponse;
  metrics: Metrics;
  /** Milliseconds left for queueing and inference. */
  deadlineMs: number;
  limits: CostLimits;
  decoder: RequestDecoder;
}

/** The status logged for a request whose client hung up before its answer (nginx's 499). */
export const CLIENT_GONE = 499;

/** A 200 answer: JSON, or the binary extension's JSON header followed by the tensors' bytes. */
export interface InferAnswer {
  headers: Record<string, string>;
  /** Written one after the other (a binary answer's tensors are not copied into one buffer). */
  body: Uint8Array[];
}

/** The answer; throws HttpError (400 invalid, 503 queue full, 504 late, 500 model failure). */
export async function handleInfer(ctx: InferContext): Promise<InferAnswer> {
  const { model, metrics, res } = ctx;
  const name = model.name;
  const request = await ctx.decoder.decode(ctx.body, ctx.req.headers[HEADER_LENGTH], model.config);
  checkCost(request, model.config, ctx.limits);
  // Every submission of this request still queued or running (a tiled image has several).
  const live = new Set<Submission<Outputs>>();
  let stopped: HttpError | null = null; // once set, nothing more is submitted (a tile's lane stops)
  const submit = async (r: InferRequest) => {
    if (stopped) throw stopped;
    let submission;
    try {
      submission = model.batcher.submit(r, batchKey(r), r.batchSize);
    } catch (e) {
      if (e instanceof QueueFullError)
        throw new HttpError(503, `model '${name}': ${e.message}`, { 'Retry-After': '1' });
      throw e;
    }
    live.add(submission);
    try {
      return await submission.done;
    } finally {
      live.delete(submission);
    }
  };
  const cancelAll = (reason: HttpError) => {
    stopped = reason;
    for (const s of live) s.cancel(reason);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const error = new HttpError(
          504,
          `model '${name}' did not answer within ${Math.round(ctx.deadlineMs)} ms (queue and inference)`,
        );
        cancelAll(error);
        reject(error);
      },
      Math.max(1, ctx.deadlineMs),
    );
  });
  // A client that hangs up no longer waits: what it queued leaves the queue.
  const gone = () => {
    if (!res.writableEnded) cancelAll(new HttpError(CLIENT_GONE, 'the client disconnected'));
  };
  res.once('close', gone);
  const tiling = model.config.tiling;
  const work =
    tiling && needsTiles(request, tiling)
      ? runTiled(request, tiling, model.config.output[0].name, submit)
      : submit(request);
  let outcome;
  try {
    outcome = await Promise.race([work, timeout]);
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(500, `model '${name}' failed: ${(e as Error).message}`);
  } finally {
    work.catch(() => {}); // settles after a timeout: nobody waits for it
    res.off('close', gone);
    clearTimeout(timer);
  }
  metrics.queueDuration.observe({ model: name }, outcome.queueMs / 1000);
  const { json, binary } = await encodeResponse(model, request, outcome.result, ctx.limits);
  const timing = `queue;dur=${outcome.queueMs.toFixed(3)}, compute;dur=${outcome.computeMs.toFixed(3)}`;
  if (binary.length === 0)
    return {
      headers: { 'Server-Timing': timing, 'Content-Type': 'application/json' },
      body: [json],
    };
  return {
    headers: {
      'Server-Timing': timing,
      'Content-Type': 'application/octet-stream',
      'Inference-Header-Content-Length': String(json.length),
      'Content-Length': String(binary.reduce((n, b) => n + b.length, json.length)),
    },
    body: [json, ...binary],
  };
}

interface EncodedResponse {
  json: Buffer;
  binary: Uint8Array[];
}

/** Elements of one output encoded to JSON between two turns of the event loop (~5 ms). */
const JSON_CHUNK = 16_384;

async function encodeResponse(
  model: ReadyModel,
  request: InferRequest,
  outputs: Outputs,
  limits: CostLimits,
): Promise<EncodedResponse> {
  const binary: Uint8Array[] = [];
  const jsonData: OutputTensor[] = [];
  const nonce = randomUUID();
  const list = request.outputs.map(({ name, binary: asBinary }) => {
    const t = outputs.get(name);
    if (!t) throw new HttpError(500, `model '${model.name}' produced no output '${name}'`);
    const head = { name, datatype: t.datatype, shape: t.shape };
    if (!asBinary) {
      checkJsonOutput(name, t.shape, limits);
      jsonData.push(t);
      return { ...head, data: dataMarker(jsonData.length - 1, nonce) };
    }
    const bytes = encodeBinary(t.data);
    binary.push(bytes);
    return { ...head, parameters: { binary_data_size: bytes.length } };
  });
  const body = {
    ...(request.id !== undefined ? { id: request.id } : {}),
    model_name: model.name,
    model_version: '1',
    outputs: list,
  };
  // The outputs' data goes in where their markers are, encoded a chunk at a time so that other
  // requests (a health probe) are served between chunks.
  const parts: Buffer[] = [];
  let text = JSON.stringify(body);
  for (const [i, t] of jsonData.entries()) {
    const [before, after] = text.split(JSON.stringify(dataMarker(i, nonce)));
    parts.push(Buffer.from(`${before}[`));
    for (let at = 0; at < t.data.length; at += JSON_CHUNK) {
      if (at > 0) await new Promise((resolve) => setImmediate(resolve));
      const slice = encodeJson(t.datatype, t.data.slice(at, at + JSON_CHUNK) as TensorData);
      const items = JSON.stringify(slice);
      parts.push(Buffer.from(at === 0 ? items.slice(1, -1) : `,${items.slice(1, -1)}`));
    }
    parts.push(Buffer.from(']'));
    text = after;
  }
  parts.push(Buffer.from(text));
  return { json: Buffer.concat(parts), binary };
}

/** A placeholder for an output's data: a client's id cannot guess it. */
const dataMarker = (i: number, nonce: string) => `\u0000data${i}:${nonce}`;
