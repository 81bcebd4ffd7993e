// Where an inference request is decoded: small ones on the HTTP thread, those with a large JSON
// part in a worker of their own, so the HTTP thread stays free for other requests.
import type { Worker } from 'node:worker_threads';
import type { ParsedModelConfig } from '../config.ts';
import { HttpError } from '../errors.ts';
import { parseInferRequest, type InferRequest } from '../validate.ts';
import { spawnWorker } from '../workers.ts';
import type { DecodeJob, Decoded } from './messages.ts';

const WORKER = new URL('./worker.ts', import.meta.url);

/** JSON up to this size is parsed in place (~15 ms at most). */
export const INLINE_JSON_BYTES = 256 * 1024;

interface Pending {
  resolve(request: InferRequest): void;
  reject(error: Error): void;
}

export class RequestDecoder {
  #worker: Worker | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  /** Requests decoded in the worker so far (tests see which path a request took). */
  offloaded = 0;

  decode(
    body: Buffer,
    headerLength: string | string[] | undefined,
    config: ParsedModelConfig,
  ): Promise<InferRequest> {
    const jsonBytes = typeof headerLength === 'string' ? Number(headerLength) : body.length;
    if (!(jsonBytes > INLINE_JSON_BYTES)) {
      try {
        return Promise.resolve(parseInferRequest(body, headerLength, config));
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    this.offloaded++;
    // The body's memory moves to the worker: a Buffer may share its ArrayBuffer, so copy then.
    const own =
      body.byteOffset === 0 && body.byteLength === body.buffer.byteLength
        ? new Uint8Array(body.buffer, 0, body.byteLength)
        : new Uint8Array(body);
    const id = this.#nextId++;
    const job: DecodeJob = { id, body: own, headerLength, config };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#start().postMessage(job, [own.buffer as ArrayBuffer]);
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = spawnWorker(WORKER, null);
    worker.unref();
    worker.on('message', (m: Decoded) => {
      const pending = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if ('request' in m) pending?.resolve(m.request);
      else pending?.reject(new HttpError(m.error.status, m.error.message));
    });
    const fail = (reason: string) => {
      if (this.#worker === worker) this.#worker = null; // the next request starts a new one
      for (const p of this.#pending.values()) p.reject(new HttpError(500, reason));
      this.#pending.clear();
    };
    worker.on('error', (e) => fail(`the request decoder failed: ${e.message}`));
    worker.on('exit', (code) => fail(`the request decoder exited (${code})`));
    this.#worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
  }
}
