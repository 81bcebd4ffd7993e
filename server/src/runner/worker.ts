// Worker thread owning one model's onnxruntime session. onnxruntime-node runs inference
// synchronously on the calling thread, so each model runs here to keep the HTTP thread free.
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

const port = parentPort;
if (!port) throw new Error('runner/worker.ts must run in a worker thread');
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);
const init = workerData as WorkerInit;

let session: ort.InferenceSession;
try {
  session = await ort.InferenceSession.create(init.file, { executionProviders: [init.provider] });
  post({
    kind: 'loaded',
    inputs: [...session.inputMetadata],
    outputs: [...session.outputMetadata],
  });
} catch (e) {
  post({ kind: 'load-failed', message: (e as Error).message.split('\n')[0] });
  process.exit(0);
}

port.on('message', (message: ToWorker) => {
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
