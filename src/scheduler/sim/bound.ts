// Independent references for the scheduler's tests and bench: nothing here imports the planner
// (no compile, no pipeline model, no YALPS). The best static plan is found by running every
// assignment through the discrete-event simulator; the LP bound is written in CPLEX LP text and
// solved by HiGHS (a different solver from the planner's).
import loadHighs from 'highs';
import type { TargetInfo } from '../types';
import { SimClock, simulate, type Scenario, type SimEvents } from './simulator';

/** Frames each static assignment is simulated for, and where its rate is measured from. */
const FRAMES = 400;
const FROM = 200;

/** A plan that runs the same assignment on every frame. */
const fixed = (targets: string[]) => ({
  decide: () => targets.slice(),
  report() {},
  reportTransfer() {},
  reportFailure() {},
  failover(): string {
    throw new Error('a fixed assignment has no failover');
  },
});

/**
 * The best static assignment (one target per stage) among those `allowed` lets through, by
 * simulating every one of them: its fps and targets. Exhaustive: for small chains only.
 */
export function bestSimulatedStatic(
  scenario: Scenario,
  inFlight: number,
  allowed: (t: TargetInfo) => boolean = () => true,
  events: SimEvents = {},
): { fps: number; targets: string[] } | null {
  const byId = new Map(scenario.targets.map((t) => [t.id, t]));
  const options = scenario.stages.map((stage) =>
    stage.targets.filter((t) => byId.has(t) && allowed(byId.get(t)!)),
  );
  if (options.some((o) => o.length === 0)) return null;
  const total = options.reduce((n, o) => n * o.length, 1);
  if (total > 5000) throw new Error(`${total} static assignments: too many to simulate`);
  let best: { fps: number; targets: string[] } | null = null;
  const index = options.map(() => 0);
  for (let n = 0; n < total; n++) {
    const targets = index.map((i, s) => options[s][i]);
    const result = simulate(scenario, fixed(targets), new SimClock(), {
      frames: FRAMES,
      inFlight,
      seed: 1,
      events,
    });
    const fps = result.fps(FROM);
    if (!best || fps > best.fps) best = { fps, targets };
    for (let s = 0; s < index.length; s++) {
      if (++index[s] < options[s].length) break;
      index[s] = 0;
    }
  }
  return best;
}

let highs: Awaited<ReturnType<typeof loadHighs>> | null = null;

/**
 * An upper bound on the fps any placement can reach at `inFlight` frames in flight: the LP
 * minimizing the period P with each device's and each link's load ≤ P and the sum of all loads
 * ≤ inFlight × P, over fractional shares of each stage and the flows of frames between the
 * locations of consecutive stages.
 */
export async function lpBoundFps(scenario: Scenario, inFlight: number): Promise<number> {
  highs ??= await loadHighs();
  const byId = new Map(scenario.targets.map((t) => [t.id, t]));
  const S = scenario.stages.length;
  const locs = [
    ...new Set(scenario.targets.map((t) => t.location).concat(scenario.source, scenario.sink)),
  ];
  const loc = (l: string) => `l${locs.indexOf(l)}`;
  const x = (s: number, t: string) => `x_${s}_${scenario.targets.findIndex((q) => q.id === t)}`;
  const y = (b: number, a: string, z: string) => `y_${b}_${loc(a)}_${loc(z)}`;
  const at = (s: number) => [
    ...new Set(scenario.stages[s].targets.map((t) => byId.get(t)!.location)),
  ];
  const before = (b: number) => (b === 0 ? [scenario.source] : at(b - 1));
  const after = (b: number) => (b === S ? [scenario.sink] : at(b));
  const rows: string[] = [];
  const load = new Map<string, string[]>();
  const add = (resource: string, term: string) =>
    load.set(resource, [...(load.get(resource) ?? []), term]);
  const sum: string[] = [];
  for (let s = 0; s < S; s++) {
    const { kind, targets } = scenario.stages[s];
    rows.push(`stage${s}: ${targets.map((t) => x(s, t)).join(' + ')} = 1`);
    for (const t of targets) {
      const term = `${scenario.cost[kind][t]} ${x(s, t)}`;
      add(`dev_${byId.get(t)!.device}`, term);
      sum.push(term);
    }
  }
  for (let b = 0; b <= S; b++) {
    for (const a of before(b)) {
      const leaving = after(b).map((z) => y(b, a, z));
      const from =
        b === 0
          ? []
          : scenario.stages[b - 1].targets
              .filter((t) => byId.get(t)!.location === a)
              .map((t) => `- ${x(b - 1, t)}`);
      rows.push(`out${b}${loc(a)}: ${leaving.join(' + ')} ${from.join(' ')} = ${b === 0 ? 1 : 0}`);
      for (const z of after(b)) {
        if (a === z) continue;
        const ms = scenario.transfer[`${a}>${z}`];
        const term = `${ms} ${y(b, a, z)}`;
        add(`link_${loc(a)}_${loc(z)}`, term);
        sum.push(term);
      }
    }
    for (const z of after(b)) {
      const arriving = before(b).map((a) => y(b, a, z));
      const into =
        b === S
          ? []
          : scenario.stages[b].targets
              .filter((t) => byId.get(t)!.location === z)
              .map((t) => `- ${x(b, t)}`);
      rows.push(`in${b}${loc(z)}: ${arriving.join(' + ')} ${into.join(' ')} = ${b === S ? 1 : 0}`);
    }
  }
  for (const [resource, terms] of load) rows.push(`${resource}: ${terms.join(' + ')} - P <= 0`);
  if (Number.isFinite(inFlight)) rows.push(`sum: ${sum.join(' + ')} - ${inFlight} P <= 0`);
  const text = `Minimize\n obj: P\nSubject To\n ${rows.join('\n ')}\nEnd\n`;
  const solution = highs.solve(text, { output_flag: false } as never);
  if (solution.Status !== 'Optimal') throw new Error(`LP bound: ${solution.Status}`);
  return 1000 / solution.ObjectiveValue;
}
