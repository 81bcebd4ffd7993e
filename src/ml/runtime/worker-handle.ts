import * as Comlink from 'comlink';
import { Tripwire } from '../../core/tripwire';

/** A runtime's worker as the page holds it: its API, and a way to fail what still waits on it. */
export interface RunningWorker<Api> {
  api: Comlink.Remote<Api>;
  raw: Worker;
  /**
   * Trips when the worker is ended: a call still waiting on it then fails instead of hanging.
   * Not a long-lived "ended" promise raced with each call: every race left a reaction on it that
   * kept the call's result reachable for the worker's life (the soak: every mask ort-wasm made,
   * 256 KB a frame, 1.7 GB in five minutes).
   */
  ended: Tripwire;
  end(reason: Error): void;
}

/** Wraps a started worker (made where it is named, so the bundler finds its module). */
export function wrapWorker<Api>(raw: Worker): RunningWorker<Api> {
  const ended = new Tripwire();
  return { raw, api: Comlink.wrap<Api>(raw), ended, end: (reason) => ended.trip(reason) };
}

/** A call into the worker that fails if the worker is ended meanwhile. */
export function call<Api, T>(
  worker: RunningWorker<Api>,
  work: (api: Comlink.Remote<Api>) => Promise<T>,
): Promise<T> {
  return worker.ended.guard(work(worker.api));
}

/** Ends a worker and everything in it; calls still waiting on it fail with `reason`. */
export function endWorker<Api>(worker: RunningWorker<Api>, reason: string): void {
  worker.raw.terminate();
  worker.end(new Error(reason));
}
