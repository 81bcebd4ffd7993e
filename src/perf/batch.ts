/**
 * A target that processes batch items, `slots` of them at once (default one; none: it stands by,
 * and takes items only when the targets with slots have all failed).
 */
export interface BatchWorker<I, O> {
  id: string;
  run(item: I, index: number): Promise<O>;
  slots?: number;
}

export interface BatchOptions {
  clock: () => number;
  /**
   * Skip targets too slow to help at the end: a target takes an item only if it would finish it
   * before the other targets, at their measured rates, finish everything left (so a slow target
   * is never the last one running). Off: every target takes the next item whenever it is free.
   */
  tailAware: boolean;
  onItem?: (done: number, total: number, target: string) => void;
  signal?: AbortSignal;
}

export interface BatchResult<O> {
  outputs: O[];
  /** From the first item started to the last finished (ms). */
  ms: number;
  /** Items each target finished. */
  byTarget: Record<string, number>;
  /** Targets that failed (their item went to another), with why. */
  failures: Record<string, string>;
}

/**
 * Runs every item on a set of targets at once: each target pulls the next item when it is free
 * (work stealing), so faster targets do more. A target that fails is dropped and its item goes
 * back in line; the batch fails only when every target has.
 */
export async function runBatch<I, O>(
  items: readonly I[],
  workers: readonly BatchWorker<I, O>[],
  options: BatchOptions,
): Promise<BatchResult<O>> {
  const { clock, signal } = options;
  const pending = items.map((_, i) => i);
  const outputs: O[] = new Array(items.length);
  const byTarget: Record<string, number> = Object.fromEntries(workers.map((w) => [w.id, 0]));
  const failures: Record<string, string> = {};
  const time = new Map<string, number>(); // ms spent on finished items, by target
  const alive = new Set(workers.map((w) => w.id));
  let done = 0;
  const mean = (id: string) => (byTarget[id] > 0 ? time.get(id)! / byTarget[id] : undefined);
  const slotsOf = new Map(workers.map((w) => [w.id, Math.max(0, Math.round(w.slots ?? 1))]));

  const worthTaking = (id: string): boolean => {
    const own = mean(id);
    if (own === undefined) return true; // not measured yet
    let othersRate = 0; // items per ms
    for (const other of alive) {
      const m = other === id ? undefined : mean(other);
      if (m !== undefined) othersRate += slotsOf.get(other)! / m;
    }
    return othersRate === 0 || own <= pending.length / othersRate;
  };

  const loop = async (worker: BatchWorker<I, O>, tailAware: boolean) => {
    while (pending.length > 0 && alive.has(worker.id)) {
      signal?.throwIfAborted();
      if (tailAware && !worthTaking(worker.id)) return;
      const index = pending.shift()!;
      const t0 = clock();
      try {
        outputs[index] = await worker.run(items[index], index);
      } catch (error) {
        signal?.throwIfAborted();
        pending.unshift(index);
        alive.delete(worker.id);
        failures[worker.id] = error instanceof Error ? error.message : String(error);
        return;
      }
      time.set(worker.id, (time.get(worker.id) ?? 0) + clock() - t0);
      byTarget[worker.id]++;
      done++;
      options.onItem?.(done, items.length, worker.id);
    }
  };

  const start = clock();
  // Each slot of a target is a loop of its own: a target with two slots holds two items at once.
  const loops = (tailAware: boolean, ws: readonly BatchWorker<I, O>[], least: number) =>
    Promise.all(
      ws.flatMap((w) =>
        Array.from({ length: Math.max(least, slotsOf.get(w.id)!) }, () => loop(w, tailAware)),
      ),
    );
  await loops(options.tailAware, workers, 0);
  // A failure can leave items that the targets which stepped aside must now take.
  while (pending.length > 0 && alive.size > 0)
    await loops(
      false,
      workers.filter((w) => alive.has(w.id)),
      1,
    );
  if (pending.length > 0) {
    const why = Object.entries(failures)
      .map(([id, reason]) => `${id}: ${reason}`)
      .join('; ');
    throw new Error(`every target failed (${why || 'no targets'})`);
  }
  return { outputs, ms: clock() - start, byTarget, failures };
}
