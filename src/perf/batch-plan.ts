import { APP_TARGETS } from '../engine/placer';
import { recommend, type CostModel, type TargetInfo } from '../scheduler';
import { ownMs, type RemoteLink } from '../ml/remote/link';

/** What one item took on a target after warm-up, and the endpoint's part of it spent moving. */
export interface ItemTiming {
  target: string;
  ms: number;
  /** Serialize + network out, and back (the endpoint); absent for local targets. */
  link?: RemoteLink;
}

export interface BatchPlan {
  /** Items in flight at once, over all targets: the planner's recommendation. */
  inFlight: number;
  /**
   * Items each target may hold at once; a target the plan gives no share has none (absent): on a
   * device another target already keeps busy it would only slow that one down.
   */
  slots: Record<string, number>;
  /** Predicted items per second at 1…max items in flight. */
  rates: number[];
}

/**
 * Plans a batch like a chain of one stage (the model) over the ready targets, items starting and
 * ending in CPU memory: the planner says how many items in flight pay (within `max`, the memory
 * budget), and by Little's law a target whose item time is mostly a round trip (the endpoint:
 * waiting on the network and the server) holds its share of them — its share of the items times
 * the time an item spends there. A local target computes one item at a time whatever it holds,
 * so it keeps one slot (more would only queue items on it, out of reach of faster targets).
 * `known`: the targets and the devices they compute on — the scheduler's, where an endpoint on
 * this machine shares the CPU's cores (a split with ort-wasm or ort-node then adds no capacity).
 */
export function planBatch(
  timings: readonly ItemTiming[],
  max: number,
  known: readonly TargetInfo[] = APP_TARGETS,
): BatchPlan {
  const targets = known.filter((t) => timings.some((x) => x.target === t.id));
  const byTarget = new Map(timings.map((t) => [t.target, t]));
  const location = (id: string) => targets.find((t) => t.id === id)?.location ?? 'cpu';
  const costs: CostModel = {
    compute: (_, target) => {
      const t = byTarget.get(target);
      return t && Math.max(0.01, ownMs(t.ms, t.link));
    },
    transfer: (from, to) => {
      if (from === to) return 0;
      // Items live in CPU memory; only the endpoint's round trip is a move worth counting.
      const remote = [...byTarget.values()].find((t) => t.link && location(t.target) !== 'cpu');
      if (!remote?.link) return 0;
      return to === location(remote.target) ? remote.link.outMs : remote.link.backMs;
    },
  };
  const problem = {
    stages: [{ kind: 'item', targets: targets.map((t) => t.id) }],
    targets,
    source: 'cpu',
    sink: 'cpu',
  };
  const one = Object.fromEntries(targets.map((t) => [t.id, 1]));
  const r = recommend(problem, costs, { max, splits: true });
  if (!r) return { inFlight: targets.length, slots: one, rates: [] };
  const plan = r.plans[r.inFlight - 1];
  // Time an item spends at a target: its compute and, for the endpoint, the way there and back.
  const latency = (id: string) => byTarget.get(id)!.ms;
  const weight = plan.stages[0].map((x) => ({ id: x.target, w: x.share * latency(x.target) }));
  const total = weight.reduce((a, b) => a + b.w, 0);
  const slots: Record<string, number> = {};
  for (const { id, w } of weight) {
    if (!(w > 0)) continue;
    slots[id] = byTarget.get(id)!.link
      ? Math.max(1, Math.round((r.inFlight * w) / Math.max(1e-9, total)))
      : 1;
  }
  return { inFlight: r.inFlight, slots, rates: r.fps };
}
