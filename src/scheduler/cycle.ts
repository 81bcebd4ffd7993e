import type { SplitLp } from './lp';
import type { Compiled } from './problem';

const EPS = 1e-6;

/**
 * Smooth weighted round robin (deficit style): each pick adds every weight to its credit and
 * takes the richest, which then pays the total. Deterministic and spread out: weights 3:1 over
 * four picks give a, a, b, a — never the minority bunched.
 */
export function roundRobin(weights: readonly number[], picks: number): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const credit = weights.map(() => 0);
  const out: number[] = [];
  for (let n = 0; n < picks; n++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      credit[i] += weights[i];
      if (credit[i] > credit[best]) best = i;
    }
    credit[best] -= total;
    out.push(best);
  }
  return out;
}

/** The LP's location flows as whole paths (a location per stage) with the share of frames each. */
export function locationPaths(c: Compiled, lp: SplitLp): { path: number[]; weight: number }[] {
  const L = c.locations.length;
  const S = c.options.length;
  const flow = lp.flow.map((f) => Float64Array.from(f));
  const paths: { path: number[]; weight: number }[] = [];
  // Flow decomposition: follow the largest flow out of each location until the sink; the path
  // carries the smallest flow on it. Each round empties at least one edge.
  for (let round = 0; round < (S + 1) * L * L; round++) {
    let here = c.source;
    const path: number[] = [];
    let weight = Infinity;
    for (let b = 0; b <= S; b++) {
      let best = -1;
      for (let z = 0; z < L; z++)
        if (best < 0 || flow[b][here * L + z] > flow[b][here * L + best]) best = z;
      weight = Math.min(weight, flow[b][here * L + best]);
      if (b < S) path.push(best);
      here = best;
    }
    if (!(weight > EPS)) break;
    here = c.source;
    for (let b = 0; b <= S; b++) {
      const z = b < S ? path[b] : c.sink;
      flow[b][here * L + z] -= weight;
      here = z;
    }
    paths.push({ path, weight });
  }
  return paths;
}

/**
 * Rounds the LP's fractional plan to a cycle of `length` frames: location paths by round robin
 * on their shares (frames that travel together stay together), then within each stage and
 * location the options by round robin on their shares. Returns an option index per stage, per
 * frame of the cycle.
 */
export function roundToCycle(
  c: Compiled,
  lp: SplitLp,
  paths: { path: number[]; weight: number }[],
  length: number,
): number[][] {
  const S = c.options.length;
  const slots = roundRobin(
    paths.map((p) => p.weight),
    length,
  ).map((i) => paths[i].path);
  const cycle = slots.map(() => new Array<number>(S).fill(0));
  for (let s = 0; s < S; s++) {
    const byLocation = new Map<number, number[]>();
    c.options[s].forEach((o, i) => {
      const list = byLocation.get(o.location) ?? [];
      list.push(i);
      byLocation.set(o.location, list);
    });
    for (const [location, options] of byLocation) {
      const frames = slots.map((p, f) => (p[s] === location ? f : -1)).filter((f) => f >= 0);
      const weights = options.map((i) => lp.x[s][i] + EPS);
      roundRobin(weights, frames.length).forEach((k, n) => (cycle[frames[n]][s] = options[k]));
    }
  }
  return cycle;
}
