import type { Compiled } from './problem';

/**
 * The closed-form lower bound on the time per frame: no resource does more than one job at a
 * time (period ≥ the busiest load), and a frame takes at least the sum of its jobs, of which at
 * most `inFlight` overlap (period ≥ sum of loads / frames in flight). The pipeline model's period
 * is never below it, so the planner uses it to skip plans that cannot win.
 */
export function periodBound(maxLoad: number, sumLoad: number, inFlight = Infinity): number {
  return Math.max(1e-9, maxLoad, sumLoad / Math.max(1, inFlight));
}

/** A fast bound for static assignments (an option index per stage), allocation-free per call. */
export function staticBound(c: Compiled, inFlight: number): (pick: ArrayLike<number>) => number {
  const load = new Float64Array(c.resources.length);
  const L = c.locations.length;
  return (pick) => {
    load.fill(0);
    let here = c.source;
    for (let s = 0; s < c.options.length; s++) {
      const o = c.options[s][pick[s]];
      load[o.device] += o.cost;
      if (o.location !== here)
        load[c.link[here * L + o.location]] += c.transfer[here * L + o.location];
      here = o.location;
    }
    if (here !== c.sink) load[c.link[here * L + c.sink]] += c.transfer[here * L + c.sink];
    if (c.frame) load[c.frame.resource] += c.frame.ms;
    let max = 0;
    let sum = 0;
    for (let i = 0; i < load.length; i++) {
      sum += load[i];
      if (load[i] > max) max = load[i];
    }
    return periodBound(max, sum, inFlight);
  };
}
