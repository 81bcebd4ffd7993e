import type { StageInfo, TargetInfo } from '../types';

/** What the simulator needs from a scheduler (the real one, or a fixed plan for the oracle). */
export interface Decider {
  decide(frame: number): string[];
  report(stage: number, target: string, ms: number): void;
  reportTransfer(from: string, to: string, ms: number): void;
  reportFailure(target: string, reason: string): void;
  failover(stage: number): string;
  /** A frame finished (all its stages and its move to the sink). */
  shown?(frame: number): void;
  /** Called between events: the executor is between jobs (the app's idle callback). */
  maintain?(): void;
  readonly planChanges?: number;
}

/** A workload: targets, stages and the true service times the simulated machine has. */
export interface Scenario {
  name: string;
  targets: TargetInfo[];
  stages: StageInfo[];
  /** True ms per stage kind and target. */
  cost: Record<string, Record<string, number>>;
  /** True ms per transfer, keyed 'from>to'. */
  transfer: Record<string, number>;
  source: string;
  sink: string;
  /**
   * Devices that share one machine's cores without the scheduler being told (a software GPU, a
   * WASM runtime and a local endpoint on two cores): a job that starts while `k` others of the
   * group run takes `1 + factor × k` times as long.
   */
  contention?: { resources: string[]; factor: number };
  /**
   * ms of GPU work each move of a frame out of GPU memory takes before the move itself, which no
   * executor reports (the copy into a mappable buffer, the queue waiting on the map): in the
   * browser a CPU stage between GPU stages cost the GPU more than the transfers measured.
   */
  readback?: number;
}

export interface SimEvents {
  /** Each service time is multiplied by a uniform factor in [1 − noise, 1 + noise]. */
  noise?: number;
  /** From `fromFrame` on, the target's service times are multiplied by `factor`. */
  slowdowns?: { target: string; fromFrame: number; factor: number }[];
  /** From `fromFrame` (until `untilFrame`), every job on the target fails after a time-out. */
  failures?: { target: string; fromFrame: number; untilFrame?: number }[];
}

export interface SimOptions {
  frames: number;
  /** Frames in flight at once (back-pressure). */
  inFlight: number;
  seed: number;
  events?: SimEvents;
  /**
   * A live source (camera, playback) delivers frames at `fps` whether or not the pipeline keeps
   * up: a frame that arrives while `inFlight` frames are already in the pipeline is dropped and
   * counted. Without it the source is an export: each frame waits for room, none is dropped.
   */
  live?: { fps: number };
}

export interface SimResult {
  /** Time each frame was shown, in order (a reorder buffer holds early finishers). */
  shown: number[];
  /** Targets each frame's stages ran on (after any failover). */
  placements: string[][];
  completed: number;
  /** Frames lost, with the reason: must stay empty. */
  dropped: { frame: number; reason: string }[];
  retries: number;
  /** Frames per second between two frame indices (by show time). */
  fps(from: number, to?: number): number;
}

/** Mulberry32: a small seeded generator, so every run is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Job {
  frame: number;
  /** Stage index, or −1 for the final transfer to the sink. */
  stage: number;
  /** A readback is the unreported GPU work before a move out of the GPU (`Scenario.readback`). */
  kind: 'compute' | 'transfer' | 'readback';
  resource: string;
  duration: number;
  target?: string;
  from?: string;
  to?: string;
  fails: boolean;
}

/** A simulated clock that the scheduler under test reads as its injected clock. */
export class SimClock {
  now = 0;
  readonly read = (): number => this.now;
}

/**
 * Discrete-event simulation of frames flowing through a chain on a machine: every device and
 * every link runs one job at a time (targets sharing a device share it), ready jobs start in frame
 * order, at most `inFlight` frames are in the pipeline, and finished frames are shown in order.
 * The decider is consulted when a frame enters, told every measurement, and asked for a
 * replacement when a job fails.
 */
export function simulate(
  scenario: Scenario,
  decider: Decider,
  clock: SimClock,
  options: SimOptions,
): SimResult {
  const random = rng(options.seed);
  const events = options.events ?? {};
  const targets = new Map(scenario.targets.map((t) => [t.id, t]));
  const placements: string[][] = [];
  const finished: number[] = new Array(options.frames).fill(NaN);
  const dropped: SimResult['dropped'] = [];
  let retries = 0;

  const busy = new Map<string, boolean>();
  const ready = new Map<string, Job[]>();
  const pending: { time: number; job: Job }[] = [];
  const location = new Map<number, string>();
  let admitted = 0;
  let inFlight = 0;

  const factor = (target: string, frame: number) => {
    let k = 1 + (events.noise ?? 0) * (2 * random() - 1);
    for (const s of events.slowdowns ?? [])
      if (s.target === target && frame >= s.fromFrame) k *= s.factor;
    return k;
  };
  const failing = (target: string, frame: number) =>
    (events.failures ?? []).some(
      (f) =>
        f.target === target &&
        frame >= f.fromFrame &&
        (f.untilFrame === undefined || frame < f.untilFrame),
    );

  const enqueue = (job: Job) => {
    const list = ready.get(job.resource) ?? [];
    list.push(job);
    list.sort((a, b) => a.frame - b.frame || a.stage - b.stage);
    ready.set(job.resource, list);
  };

  /** Queues a move of `frame` (a readback first where the scenario has one). */
  const move = (frame: number, stage: number, from: string, to: string, readDone = false) => {
    if (from === 'gpu' && scenario.readback && !readDone) {
      const job = { frame, stage, resource: 'gpu', duration: scenario.readback, from, to };
      enqueue({ ...job, kind: 'readback', fails: false });
      return;
    }
    const ms = scenario.transfer[`${from}>${to}`];
    enqueue({
      frame,
      stage,
      kind: 'transfer',
      resource: `link:${from}>${to}`,
      duration: ms * (1 + (events.noise ?? 0) * (2 * random() - 1)),
      from,
      to,
      fails: false,
    });
  };

  /** Queues what frame `frame` does next from stage `stage` (a transfer first if needed). */
  const next = (frame: number, stage: number) => {
    const here = location.get(frame)!;
    if (stage >= scenario.stages.length) {
      if (here !== scenario.sink) {
        move(frame, -1, here, scenario.sink);
      } else {
        finished[frame] = clock.now;
        inFlight--;
        decider.shown?.(frame);
      }
      return;
    }
    const target = placements[frame][stage];
    const info = targets.get(target);
    const cost = scenario.cost[scenario.stages[stage].kind]?.[target];
    if (!info || cost === undefined || !scenario.stages[stage].targets.includes(target)) {
      dropped.push({
        frame,
        reason: `stage ${stage} placed on ${target}, which does not implement it`,
      });
      inFlight--;
      return;
    }
    if (info.location !== here) {
      move(frame, stage, here, info.location);
      return;
    }
    const fails = failing(target, frame);
    // A failing target is noticed by a time-out of twice its usual time.
    const duration = fails ? 2 * cost : cost * factor(target, frame);
    enqueue({ frame, stage, kind: 'compute', resource: info.device, duration, target, fails });
  };

  const enter = (frame: number) => {
    inFlight++;
    placements[frame] = decider.decide(frame).slice();
    location.set(frame, scenario.source);
    next(frame, 0);
  };
  const admit = () => {
    if (options.live) return; // live frames enter when they arrive
    while (inFlight < options.inFlight && admitted < options.frames) enter(admitted++);
  };
  const interval = options.live ? 1000 / options.live.fps : 0;
  /** A live frame arrives: it enters if there is room, else it is dropped under back-pressure. */
  const arrive = () => {
    const frame = admitted++;
    if (inFlight < options.inFlight) enter(frame);
    else {
      placements[frame] = [];
      dropped.push({ frame, reason: `back-pressure: ${inFlight} frames already in flight` });
    }
  };

  const crowding = (resource: string) => {
    const group = scenario.contention;
    if (!group?.resources.includes(resource)) return 1;
    const others = group.resources.filter((r) => r !== resource && busy.get(r)).length;
    return 1 + group.factor * others;
  };

  const startIdle = () => {
    for (const [resource, list] of ready) {
      if (busy.get(resource) || list.length === 0) continue;
      const job = list.shift()!;
      busy.set(resource, true);
      // What the job takes, crowding included, is what its executor then measures.
      job.duration *= crowding(resource);
      pending.push({ time: clock.now + job.duration, job });
    }
  };

  admit();
  startIdle();
  while (pending.length > 0 || (options.live && admitted < options.frames)) {
    let i = 0;
    for (let k = 1; k < pending.length; k++) if (pending[k].time < pending[i].time) i = k;
    const arrival = admitted * interval;
    if (
      options.live &&
      admitted < options.frames &&
      (pending.length === 0 || arrival <= pending[i].time)
    ) {
      clock.now = arrival;
      arrive();
      startIdle();
      continue;
    }
    const { time, job } = pending.splice(i, 1)[0];
    clock.now = time;
    busy.set(job.resource, false);
    if (job.kind === 'readback') {
      move(job.frame, job.stage, job.from!, job.to!, true);
    } else if (job.kind === 'transfer') {
      decider.reportTransfer(job.from!, job.to!, job.duration);
      location.set(job.frame, job.to!);
      if (job.stage === -1) {
        finished[job.frame] = clock.now;
        inFlight--;
        decider.shown?.(job.frame);
      } else next(job.frame, job.stage);
    } else if (job.fails) {
      decider.reportFailure(job.target!, 'time-out');
      retries++;
      placements[job.frame][job.stage] = decider.failover(job.stage);
      next(job.frame, job.stage);
    } else {
      decider.report(job.stage, job.target!, job.duration);
      next(job.frame, job.stage + 1);
    }
    decider.maintain?.();
    admit();
    startIdle();
  }

  const shown: number[] = [];
  let last = 0;
  for (let f = 0; f < options.frames; f++) {
    if (Number.isNaN(finished[f])) continue;
    last = Math.max(last, finished[f]);
    shown.push(last);
  }
  return {
    shown,
    placements,
    completed: shown.length,
    dropped,
    retries,
    fps(from, to = shown.length - 1) {
      return (1000 * (to - from)) / (shown[to] - shown[from]);
    },
  };
}
