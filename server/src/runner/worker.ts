// The worker owning one model's onnxruntime session: a worker thread, or a child process (see
// config.ts `isolation`). onnxruntime-node runs inference synchronously on the calling thread,
// so each model runs here to keep the HTTP thread free.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { TensorData } from '../protocol/datatypes.ts';
import {
  transferables,
  type FromWorker,
  type ToWorker,
  type WireTensor,
  type WorkerInit,
} from './messages.ts';

interface Port {
  post(message: FromWorker, transfer?: ArrayBuffer[]): void;
  onMessage(handler: (message: ToWorker) => void): void;
  close(): void;
  /** Sends a last message, then ends this worker. */
  exit(message: FromWorker): void;
}

function threadPort(): Port | undefined {
  const port = parentPort;
  if (!port) return undefined;
  return {
    post: (message, transfer = []) => port.postMessage(message, transfer),
    onMessage: (handler) => port.on('message', handler),
    close: () => port.close(),
    exit: (message) => {
      port.postMessage(message);
      process.exit(0); // in a worker thread: ends the thread
    },
  };
}

function processPort(): Port {
  if (!process.send) throw new Error('runner/worker.ts must run in a worker thread or a fork');
  // The server went away (killed): nothing will ever ask this process for anything again.
  process.on('disconnect', () => process.exit(0));
  return {
    post: (message) => process.send!(message),
    onMessage: (handler) => process.on('message', (m) => handler(m as ToWorker)),
    close: () => process.disconnect(),
    exit: (message) => process.send!(message, () => process.exit(0)),
  };
}

const thread = threadPort();
const port = thread ?? processPort();
const post = port.post;
const init = (thread ? workerData : JSON.parse(process.argv[2])) as WorkerInit;

let session: ort.InferenceSession;
try {
  session = await ort.InferenceSession.create(init.file, { executionProviders: [init.provider] });
  post({
    kind: 'loaded',
    inputs: [...session.inputMetadata],
    outputs: [...session.outputMetadata],
  });
} catch (e) {
  port.exit({ kind: 'load-failed', message: (e as Error).message.split('\n')[0] });
}

port.onMessage((message) => {
  if (message.kind === 'close') {
    void session.release().finally(() => {
      post({ kind: 'closed' });
      port.close();
    });
    return;
  }
  const { id, feeds, fetches } = message;
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds))
    inputs[name] = new ort.Tensor(t.type, t.data, t.dims);
  session.run(inputs, fetches).then(
    (results) => {
      const outputs: Record<string, WireTensor> = {};
      for (const name of fetches) {
        const t = results[name] as ort.Tensor;
        outputs[name] = { type: t.type, data: t.data as TensorData, dims: t.dims.map(Number) };
      }
      post({ kind: 'result', id, outputs }, transferables(outputs));
    },
    (e: unknown) => post({ kind: 'failed', id, message: (e as Error).message.split('\n')[0] }),
  );
});
