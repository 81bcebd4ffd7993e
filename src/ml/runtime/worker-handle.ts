import * as Comlink from 'comlink';

/** A runtime's worker as the page holds it: its API, and a way to fail what still waits on it. */
export interface RunningWorker<Api> {
  api: Comlink.Remote<Api>;
  raw: Worker;
  /** Rejects when the worker is ended: a call still waiting on it then fails instead of hanging. */
  ended: Promise<never>;
  end(reason: Error): void;
}

/** Wraps a started worker (made where it is named, so the bundler finds its module). */
export function wrapWorker<Api>(raw: Worker): RunningWorker<Api> {
  let end: (reason: Error) => void = () => {};
  const ended = new Promise<never>((_, reject) => (end = reject));
  ended.catch(() => {});
  return { raw, api: Comlink.wrap<Api>(raw), ended, end };
}

/** A call into the worker that fails if the worker is ended meanwhile. */
export function call<Api, T>(
  worker: RunningWorker<Api>,
  work: (api: Comlink.Remote<Api>) => Promise<T>,
): Promise<T> {
  return Promise.race([work(worker.api), worker.ended]);
}

/** Ends a worker and everything in it; calls still waiting on it fail with `reason`. */
export function endWorker<Api>(worker: RunningWorker<Api>, reason: string): void {
  worker.raw.terminate();
  worker.end(new Error(reason));
}
