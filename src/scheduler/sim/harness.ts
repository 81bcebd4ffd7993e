import type { Plan } from '../planner';
import { Scheduler, type SchedulerOptions } from '../scheduler';
import { PlanDecider } from './oracle';
import { SimClock, simulate, type Scenario, type SimEvents, type SimResult } from './simulator';

/** What a simulated run of the scheduler saw, frame by frame. */
export interface Run {
  scheduler: Scheduler;
  result: SimResult;
  /** The plan each frame was decided with. */
  plans: (Plan | null)[];
  /** The targets decided for each frame (before any failover). */
  decided: string[][];
  /** Every measurement, with how many frames had been decided when it arrived. */
  reports: { stage: number; target: string; ms: number; decided: number }[];
  /** planChanges when each frame was decided. */
  changesAt: number[];
}

export interface RunOptions {
  frames?: number;
  inFlight?: number;
  seed?: number;
  events?: SimEvents;
  options?: Partial<SchedulerOptions>;
  live?: { fps: number };
}

/**
 * Runs a scheduler through the discrete-event simulator: it decides each frame as it enters,
 * learns from every job, and re-plans between events (`maintain`, as in the app's idle time).
 */
export function runScheduler(scenario: Scenario, run: RunOptions = {}): Run {
  const inFlight = run.inFlight ?? 2;
  const clock = new SimClock();
  const scheduler = new Scheduler(clock.read, scenario.targets, { ...run.options, inFlight });
  scheduler.setChain(scenario.stages, 1920 * 1080, scenario.source, scenario.sink);
  const plans: (Plan | null)[] = [];
  const changesAt: number[] = [];
  const decided: string[][] = [];
  const reports: Run['reports'] = [];
  const decider = {
    decide: (frame: number) => {
      const targets = scheduler.decide(frame);
      decided[frame] = targets.slice();
      plans[frame] = scheduler.plan;
      changesAt[frame] = scheduler.planChanges;
      return targets;
    },
    report: (stage: number, target: string, ms: number) => {
      reports.push({ stage, target, ms, decided: decided.length });
      scheduler.report(stage, target, ms);
    },
    reportTransfer: scheduler.reportTransfer.bind(scheduler),
    reportFailure: scheduler.reportFailure.bind(scheduler),
    failover: scheduler.failover.bind(scheduler),
    shown: scheduler.shown.bind(scheduler),
    maintain: () => void scheduler.maintain(),
  };
  const result = simulate(scenario, decider, clock, {
    frames: run.frames ?? 600,
    inFlight,
    seed: run.seed ?? 1,
    events: run.events ?? { noise: 0.05 },
    live: run.live,
  });
  return { scheduler, result, plans, decided, reports, changesAt };
}

/** Runs a fixed plan through the simulator. */
export function runPlan(
  scenario: Scenario,
  plan: Pick<Plan, 'cycle'>,
  run: RunOptions = {},
): SimResult {
  return simulate(scenario, new PlanDecider(plan), new SimClock(), {
    frames: run.frames ?? 600,
    inFlight: run.inFlight ?? 2,
    seed: run.seed ?? 1,
    events: run.events ?? { noise: 0.05 },
  });
}

/** The scenario with one target's costs multiplied (a device that slowed down). */
export function slowed(scenario: Scenario, target: string, factor: number): Scenario {
  const cost = Object.fromEntries(
    Object.entries(scenario.cost).map(([kind, c]) => [
      kind,
      Object.fromEntries(Object.entries(c).map(([t, ms]) => [t, t === target ? ms * factor : ms])),
    ]),
  );
  return { ...scenario, cost };
}
