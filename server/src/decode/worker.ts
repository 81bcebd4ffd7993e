// Decodes large inference requests off the HTTP thread: JSON.parse and the walk over a tensor's
// numbers take ~70 ms a megabyte, during which no other request (a health probe) is answered.
import { parentPort } from 'node:worker_threads';
import { HttpError } from '../errors.ts';
import { parseInferRequest } from '../validate.ts';
import { requestBuffers, type DecodeJob, type Decoded } from './messages.ts';

const port = parentPort;
if (!port) throw new Error('decode/worker.ts must run in a worker thread');

port.on('message', (job: DecodeJob) => {
  let answer: Decoded;
  let transfer: ArrayBuffer[] = [];
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const request = parseInferRequest(body, job.headerLength, job.config);
    answer = { id: job.id, request };
    transfer = requestBuffers(request);
  } catch (e) {
    const status = e instanceof HttpError ? e.status : 500;
    answer = { id: job.id, error: { status, message: (e as Error).message } };
  }
  port.postMessage(answer, transfer);
});
