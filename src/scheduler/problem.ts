import type { StageInfo, TargetInfo } from './types';

/** Cost estimates a plan is made from (measured, or the simulator's truth for the oracle). */
export interface CostModel {
  /** ms for one frame of `stage` on `target`; undefined when unknown or not implemented. */
  compute(stage: number, target: string): number | undefined;
  /** ms to move one frame between two locations (0 for the same place). */
  transfer(from: string, to: string): number;
}

export interface Problem {
  stages: readonly StageInfo[];
  targets: readonly TargetInfo[];
  /** Where frames start and must end (e.g. 'gpu' for a canvas). */
  source: string;
  sink: string;
  /** How many frames the executor has in flight at most (default: unbounded). */
  inFlight?: number;
  /**
   * ms of each frame's work outside every stage and move (recording, submitting, presenting):
   * one job per frame, after its stages, on a resource of its own (`frame`).
   */
  frameMs?: number;
}

/** Each stage's targets with the share of frames each gets (shares sum to 1). */
export type Shares = { target: string; share: number }[];

/**
 * A problem turned into numbers for the planner's inner loops: resources (devices, then one link
 * per ordered pair of locations) and, per stage, the options it may run on with their device,
 * location and cost. Built once per plan; everything after works on indices.
 */
export interface Compiled {
  problem: Problem;
  /** Resource names: devices first (`gpu`, `cpu`…), then links (`link:gpu>cpu`). */
  resources: string[];
  devices: number;
  locations: string[];
  /** ms to move a frame from location a to b: `transfer[a * L + b]` (0 on the diagonal). */
  transfer: Float64Array;
  /** The link resource for a → b: `link[a * L + b]` (−1 on the diagonal). */
  link: Int32Array;
  source: number;
  sink: number;
  /** The per-frame job outside the stages (see `Problem.frameMs`), if any. */
  frame: { resource: number; ms: number } | null;
  /** Per stage, the allowed targets with an estimate. */
  options: { target: string; device: number; location: number; cost: number }[][];
}

export const linkName = (from: string, to: string) => `link:${from}>${to}`;

/**
 * `costs` with every stage kept where frames start wherever it may run there: a plan made from it
 * moves a frame only for a stage that cannot run at the source. In the browser, at two frames in
 * flight, such a plan (every effect on the GPU) ran 25% under the model's period for it, while
 * each plan with a CPU stage between GPU stages ran at its period: an excursion costs the GPU
 * queue more than its transfers.
 */
export function atSource(
  problem: Problem,
  costs: CostModel,
  allowed: (target: string) => boolean,
): CostModel {
  const where = new Map(problem.targets.map((t) => [t.id, t.location]));
  const canStay = problem.stages.map((stage, s) =>
    stage.targets.some(
      (t) => where.get(t) === problem.source && allowed(t) && costs.compute(s, t) !== undefined,
    ),
  );
  return {
    compute: (s, t) =>
      canStay[s] && where.get(t) !== problem.source ? undefined : costs.compute(s, t),
    transfer: (from, to) => costs.transfer(from, to),
  };
}

/** Compiles a problem under `allowed`; null when some stage has no allowed target with a cost. */
export function compile(
  problem: Problem,
  costs: CostModel,
  allowed: (target: string) => boolean = () => true,
): Compiled | null {
  const byId = new Map(problem.targets.map((t) => [t.id, t]));
  const devices = [...new Set(problem.targets.map((t) => t.device))];
  const locations = [
    ...new Set([problem.source, problem.sink, ...problem.targets.map((t) => t.location)]),
  ];
  const L = locations.length;
  const resources = [...devices];
  const transfer = new Float64Array(L * L);
  const link = new Int32Array(L * L).fill(-1);
  for (let a = 0; a < L; a++)
    for (let b = 0; b < L; b++) {
      if (a === b) continue;
      transfer[a * L + b] = costs.transfer(locations[a], locations[b]);
      link[a * L + b] = resources.length;
      resources.push(linkName(locations[a], locations[b]));
    }
  const frameMs = problem.frameMs ?? 0;
  const frame = frameMs > 0 ? { resource: resources.push('frame') - 1, ms: frameMs } : null;
  const options: Compiled['options'] = [];
  for (let s = 0; s < problem.stages.length; s++) {
    const here: Compiled['options'][number] = [];
    for (const target of problem.stages[s].targets) {
      const info = byId.get(target);
      const cost = costs.compute(s, target);
      if (!info || cost === undefined || !allowed(target)) continue;
      here.push({
        target,
        device: devices.indexOf(info.device),
        location: locations.indexOf(info.location),
        cost,
      });
    }
    if (here.length === 0) return null;
    options.push(here);
  }
  return {
    problem,
    resources,
    devices: devices.length,
    locations,
    transfer,
    link,
    source: locations.indexOf(problem.source),
    sink: locations.indexOf(problem.sink),
    frame,
    options,
  };
}

/** An assignment (an option index per stage) as target ids. */
export const targetsOf = (c: Compiled, pick: ArrayLike<number>): string[] =>
  Array.from(pick, (p, s) => c.options[s][p].target);

/** Each stage's share of frames per target, over a cycle of assignments. */
export function sharesOf(c: Compiled, cycle: readonly (readonly number[])[]): Shares[] {
  return c.options.map((options, s) => {
    const count = new Map<string, number>();
    for (const pick of cycle) {
      const t = options[pick[s]].target;
      count.set(t, (count.get(t) ?? 0) + 1);
    }
    return [...count].map(([target, n]) => ({ target, share: n / cycle.length }));
  });
}
