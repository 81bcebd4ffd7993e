import { solve, type Coefficients, type Constraint } from 'yalps';
import type { Compiled } from './problem';

/**
 * The fractional plan: each stage's frames shared among its options (`x[s][o]`, summing to 1),
 * and how frames move between locations at each stage boundary (`flow[b][a * L + b']`: the
 * share of frames leaving location a before stage b for location b'; boundary 0 leaves the
 * source, boundary S arrives at the sink).
 */
export interface SplitLp {
  x: number[][];
  flow: Float64Array[];
  /** The LP's time per frame: a lower bound for any plan (at this many frames in flight). */
  period: number;
}

/**
 * Solves the linear relaxation of "which share of each stage's frames runs where" (a maintained
 * solver, YALPS): minimize the period P such that every device's load and every link's load is
 * at most P, and the sum of all loads is at most `inFlight` × P. Transfers are flows between the
 * locations of consecutive stages, so the LP also chooses which frames travel together.
 */
export function solveSplit(c: Compiled, inFlight: number): SplitLp | null {
  const S = c.options.length;
  const L = c.locations.length;
  const constraints = new Map<string, Constraint>();
  const variables = new Map<string, Coefficients>();
  const finite = Number.isFinite(inFlight);
  const usedDevices = new Set<number>();
  const usedLinks = new Set<number>();
  for (let s = 0; s < S; s++) {
    constraints.set(`stage${s}`, { equal: 1 });
    c.options[s].forEach((o, i) => {
      const coef: [string, number][] = [
        [`stage${s}`, 1],
        [`dev${o.device}`, o.cost],
        [`in${s}_${o.location}`, -1],
        [`out${s + 1}_${o.location}`, -1],
      ];
      if (finite) coef.push(['sum', o.cost]);
      usedDevices.add(o.device);
      variables.set(`x${s}_${i}`, coef);
    });
  }
  // Flows at each boundary b between the locations before and after it.
  const before = (b: number) =>
    b === 0 ? [c.source] : [...new Set(c.options[b - 1].map((o) => o.location))];
  const after = (b: number) =>
    b === S ? [c.sink] : [...new Set(c.options[b].map((o) => o.location))];
  for (let b = 0; b <= S; b++) {
    for (const a of before(b)) {
      // Frames leaving a at boundary b: all of them at the source, else stage b−1's share at a.
      constraints.set(`out${b}_${a}`, { equal: b === 0 ? 1 : 0 });
      for (const z of after(b)) {
        const coef: [string, number][] = [
          [`out${b}_${a}`, 1],
          [`in${b}_${z}`, 1],
        ];
        if (a !== z) {
          const ms = c.transfer[a * L + z];
          const r = c.link[a * L + z];
          coef.push([`dev${r}`, ms]);
          if (finite) coef.push(['sum', ms]);
          usedLinks.add(r);
        }
        variables.set(`y${b}_${a}_${z}`, coef);
      }
    }
    // Frames arriving at z: all of them at the sink, else stage b's share at z.
    for (const z of after(b)) constraints.set(`in${b}_${z}`, { equal: b === S ? 1 : 0 });
  }
  const pCoef: [string, number][] = [];
  for (const r of [...usedDevices, ...usedLinks]) {
    constraints.set(`dev${r}`, { max: 0 });
    pCoef.push([`dev${r}`, -1]);
  }
  if (finite) {
    constraints.set('sum', { max: 0 });
    pCoef.push(['sum', -Math.max(1, inFlight)]);
  }
  pCoef.push(['period', 1]);
  variables.set('P', pCoef);
  const solution = solve(
    { direction: 'minimize', objective: 'period', constraints, variables },
    { includeZeroVariables: true, maxPivots: 20_000 },
  );
  if (solution.status !== 'optimal') return null;
  const value = new Map(solution.variables);
  const x = c.options.map((options, s) =>
    options.map((_, i) => Math.max(0, value.get(`x${s}_${i}`) ?? 0)),
  );
  const flow = Array.from({ length: S + 1 }, (_, b) => {
    const f = new Float64Array(L * L);
    for (const a of before(b))
      for (const z of after(b)) f[a * L + z] = Math.max(0, value.get(`y${b}_${a}_${z}`) ?? 0);
    return f;
  });
  return { x, flow, period: solution.result };
}
