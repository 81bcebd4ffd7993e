import { Worker as ThreadWorker } from 'node:worker_threads';

type Listener = (event: unknown) => void;

/**
 * A CPU worker for Node: a worker thread running the browser's CPU worker module, behind the
 * parts of the DOM `Worker` the pool and Comlink use (`postMessage`, `addEventListener` for
 * `message`, `error` and `messageerror`, `terminate`). Give it to `CpuPool` as `create`.
 */
export function nodeCpuWorker(): Worker {
  const thread = new ThreadWorker(new URL('./cpu-worker-entry.mjs', import.meta.url));
  const forwards = new Map<Listener, (value: unknown) => void>();
  const worker = {
    postMessage(data: unknown, transfer?: Transferable[] | StructuredSerializeOptions) {
      const list = Array.isArray(transfer) ? transfer : (transfer?.transfer ?? []);
      thread.postMessage(data, list as never);
    },
    addEventListener(type: string, listener: Listener) {
      const forward =
        type === 'message' || type === 'messageerror'
          ? (data: unknown) => listener({ data })
          : type === 'error'
            ? (error: unknown) =>
                listener({
                  message: error instanceof Error ? error.message : String(error),
                  preventDefault() {},
                })
            : null;
      if (!forward) return;
      forwards.set(listener, forward);
      thread.on(type, forward);
    },
    removeEventListener(type: string, listener: Listener) {
      const forward = forwards.get(listener);
      if (forward) thread.off(type, forward);
      forwards.delete(listener);
    },
    terminate() {
      void thread.terminate();
    },
  };
  return worker as unknown as Worker;
}
