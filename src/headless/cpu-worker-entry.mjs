// A CPU worker in a Node worker thread: the browser's worker scope (`postMessage`,
// `addEventListener('message')`) over `parentPort`, then the same worker module the browser runs
// (workers/cpu.worker.ts, compiled on load by tsx). Messages sent before it is up wait in the
// port's queue.
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const listeners = new Map();
globalThis.postMessage = (data, transfer) => parentPort.postMessage(data, transfer);
globalThis.addEventListener = (type, listener) => {
  if (type !== 'message') return;
  const forward = (data) => listener({ data });
  listeners.set(listener, forward);
  parentPort.on('message', forward);
};
globalThis.removeEventListener = (type, listener) => {
  const forward = listeners.get(listener);
  if (forward) parentPort.off('message', forward);
  listeners.delete(listener);
};
await tsImport('../../workers/cpu.worker.ts', import.meta.url);
