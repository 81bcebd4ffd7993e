import type { StageInfo, TargetInfo } from '../types';
import { TARGETS, TRANSFERS } from './scenarios';
import { rng, type Scenario } from './simulator';

/**
 * A generated workload for property tests: a random chain (2–5 stages) over a random machine —
 * either the app's seven targets, or 3–6 targets on 2–4 devices where several targets share a
 * device (as ort-webgpu shares the GPU with the effects) — with random costs and transfers.
 */
export function randomScenario(seed: number): Scenario {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  let targets: TargetInfo[] = TARGETS;
  let transfer: Record<string, number> = TRANSFERS;
  if (random() < 0.5) {
    const devices = ['d0', 'd1', 'd2', 'd3'].slice(0, 2 + Math.floor(random() * 3));
    const count = 3 + Math.floor(random() * 4);
    targets = Array.from({ length: count }, (_, i) => {
      // Every device has a target; the rest share one.
      const device = i < devices.length ? devices[i] : pick(devices);
      return { id: `t${i}`, device, location: device, accelerator: random() < 0.4 };
    });
    transfer = {};
    for (const a of devices)
      for (const b of devices) if (a !== b) transfer[`${a}>${b}`] = Math.round(random() * 12);
  }
  const ids = targets.map((t) => t.id);
  const stageCount = 2 + Math.floor(random() * 4);
  const cost: Scenario['cost'] = {};
  const stages: StageInfo[] = [];
  for (let s = 0; s < stageCount; s++) {
    const kind = `k${s}`;
    const implementing = ids.filter(() => random() < 0.45);
    if (implementing.length === 0) implementing.push(pick(ids));
    cost[kind] = Object.fromEntries(implementing.map((t) => [t, 1 + Math.round(random() * 40)]));
    stages.push({ kind, targets: implementing });
  }
  const places = [...new Set(targets.map((t) => t.location))].slice(0, 2);
  return {
    name: `random ${seed}`,
    targets,
    stages,
    cost,
    transfer,
    source: pick(places),
    sink: pick(places),
  };
}
