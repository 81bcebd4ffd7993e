import * as Comlink from 'comlink';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { call, wrapWorker, type RunningWorker } from './worker-handle';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Api {
  run(n: number): { data: Float32Array };
  hang(): Promise<never>;
}

/** A runtime's worker stood in by the other end of a channel (Comlink speaks to either). */
function channelWorker(): { worker: RunningWorker<Api>; close(): void } {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(
    {
      run: (n: number) => ({ data: new Float32Array(n) }),
      hang: () => new Promise<never>(() => {}),
    } satisfies Api,
    port2,
  );
  const worker = wrapWorker<Api>(port1 as unknown as Worker);
  return {
    worker,
    close: () => {
      port1.close();
      port2.close();
    },
  };
}

describe('a runtime worker’s calls', () => {
  let close = () => {};
  afterEach(() => close());

  it('return the worker’s result, and keep none of them once they are done', async () => {
    const made = channelWorker();
    close = made.close;
    let ref!: WeakRef<object>;
    await (async () => {
      const out = await call(made.worker, (api) => api.run(65536));
      expect(out.data.length).toBe(65536);
      ref = new WeakRef(out);
    })();
    await new Promise((r) => setTimeout(r, 0));
    gc();
    // Raced with a long-lived "ended" promise, every result stayed reachable from it (the soak
    // kept every mask ort-wasm made: 1.7 GB in five minutes).
    expect(ref.deref()).toBeUndefined();
    expect(made.worker.ended.waiting).toBe(0);
  });

  it('a call still waiting fails when the worker is ended, and so does every later one', async () => {
    const made = channelWorker();
    close = made.close;
    const waiting = call(made.worker, (api) => api.hang());
    made.worker.end(new Error('ort-webgpu was restarted'));
    await expect(waiting).rejects.toThrow('ort-webgpu was restarted');
    await expect(call(made.worker, (api) => api.run(4))).rejects.toThrow(
      'ort-webgpu was restarted',
    );
  });
});
