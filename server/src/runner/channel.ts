// The link between a ModelRunner and the worker owning its session, whichever kind it is: a
// worker thread (tensors handed over without a copy) or a child process (copied through IPC,
// but it can be ended in the middle of a run).
import type { Isolation } from '../config.ts';
import { spawnChild, spawnWorker } from '../workers.ts';
import type { FromWorker, ToWorker, WorkerInit } from './messages.ts';

const WORKER = new URL('./worker.ts', import.meta.url);

export interface Channel {
  post(message: ToWorker, transfer?: ArrayBuffer[]): void;
  /** Ends the worker now, a run in progress included; `onExit` is not called for it. */
  kill(): void;
}

export interface ChannelEvents {
  onMessage(message: FromWorker): void;
  /** The worker crashed or exited on its own. */
  onExit(reason: string): void;
}

export function openChannel(
  isolation: Isolation,
  init: WorkerInit,
  events: ChannelEvents,
): Channel {
  let killed = false;
  const exit = (reason: string) => {
    if (!killed) events.onExit(reason);
  };
  if (isolation === 'thread') {
    const worker = spawnWorker(WORKER, init);
    worker.on('message', events.onMessage);
    worker.on('error', (e) => exit(`model worker crashed: ${e.message}`));
    worker.on('exit', (code) => exit(`model worker exited (${code})`));
    return {
      post: (message, transfer = []) => worker.postMessage(message, transfer),
      kill: () => {
        killed = true;
        void worker.terminate();
      },
    };
  }
  const child = spawnChild(WORKER, init);
  child.on('message', (m) => events.onMessage(m as FromWorker));
  child.on('error', (e) => exit(`model process failed: ${e.message}`));
  child.on('exit', (code, signal) => exit(`model process exited (${signal ?? code})`));
  return {
    post: (message) => {
      if (child.connected) child.send(message);
    },
    kill: () => {
      killed = true;
      child.kill('SIGKILL');
    },
  };
}
