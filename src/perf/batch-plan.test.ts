import { describe, expect, it } from 'vitest';
import { appTargets } from '../engine/placer';
import { planBatch } from './batch-plan';

describe('planning a batch', () => {
  it('gives the endpoint more items in flight when its round trip is mostly waiting', () => {
    const plan = planBatch(
      [
        { target: 'ort-wasm', ms: 60 },
        { target: 'remote', ms: 90, link: { outMs: 40, backMs: 30 } },
      ],
      4,
    );
    expect(plan.rates).toHaveLength(4);
    expect(plan.inFlight).toBeGreaterThanOrEqual(2);
    expect(plan.slots['remote']).toBeGreaterThanOrEqual(2);
    expect(plan.slots['ort-wasm']).toBe(1);
    // More items in flight never predicted slower.
    for (let n = 1; n < plan.rates.length; n++)
      expect(plan.rates[n]).toBeGreaterThanOrEqual(plan.rates[n - 1] * 0.999);
  });

  it('never gives a local target more than one item: it would only queue them', () => {
    const plan = planBatch(
      [
        { target: 'ort-wasm', ms: 60 },
        { target: 'tfjs-webgpu', ms: 2000 },
        { target: 'remote', ms: 90, link: { outMs: 40, backMs: 30 } },
      ],
      4,
    );
    expect(plan.slots['ort-wasm']).toBe(1);
    // Far slower than the rest, tfjs-webgpu gets no share of the items at all.
    expect(plan.slots['tfjs-webgpu'] ?? 0).toBeLessThanOrEqual(1);
  });

  it('keeps one item per target when nothing is waiting on a link, and stays within the budget', () => {
    const plan = planBatch(
      [
        { target: 'ort-wasm', ms: 60 },
        { target: 'ort-webgpu', ms: 80 },
      ],
      1,
    );
    expect(plan.inFlight).toBe(1);
    // One item at a time: the faster target takes it; the other would break the budget.
    expect(plan.slots).toEqual({ 'ort-wasm': 1 });
  });

  it('with an endpoint on this machine, gives no slot to a target sharing its cores', () => {
    const timings = [
      { target: 'ort-node', ms: 120 },
      { target: 'remote', ms: 100, link: { outMs: 5, backMs: 5 } },
    ];
    // Elsewhere, the endpoint is capacity of its own: both work.
    const apart = planBatch(timings, 4, appTargets(false));
    expect(Object.keys(apart.slots).sort()).toEqual(['ort-node', 'remote']);
    // On this machine, both compute on the same two cores: a split adds nothing but contention.
    const shared = planBatch(timings, 4, appTargets(true));
    expect(Object.keys(shared.slots)).toEqual(['remote']);
    expect(Math.max(...shared.rates)).toBeLessThan(Math.max(...apart.rates));
  });
});
