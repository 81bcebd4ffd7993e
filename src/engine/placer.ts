import type { StageSpec } from '../effects/chain';
import { LatencyModel, Scheduler, type Strategy, type TargetInfo } from '../scheduler';
import type { TargetKind } from './engine';

/** What the engine measured while running one frame, for the placer to learn from. */
export interface FrameMeasurement {
  /** CPU stages, timed one by one (index into the frame's enabled stages). */
  cpu: { index: number; ms: number }[];
  /** GPU segments: consecutive GPU stages submitted together, timed together. */
  gpu: { indices: number[]; ms: number }[];
  transfers: { from: 'gpu' | 'cpu'; to: 'gpu' | 'cpu'; ms: number }[];
}

/** Decides where each enabled stage of a frame runs, and learns from what was measured. */
export interface FramePlacer {
  place(stages: readonly StageSpec[], sequence: number, pixels: number): TargetKind[];
  measured(measurement: FrameMeasurement): void;
  /** A target failed a stage (the engine already ran it elsewhere). */
  failed(target: TargetKind, reason: string): void;
}

/** Manual placement: every stage where the user pinned it. */
export const pinnedPlacer: FramePlacer = {
  place: (stages) => stages.map((s) => s.target),
  measured: () => {},
  failed: () => {},
};

/** The targets the app has today; ML runtimes and the remote endpoint join them later. */
export const APP_TARGETS: TargetInfo[] = [
  { id: 'gpu', device: 'gpu', location: 'gpu' },
  { id: 'cpu', device: 'cpu', location: 'cpu' },
];

/**
 * Places stages with the scheduler under a strategy. One latency model is shared by all the
 * strategies' placers, so switching strategy does not start measuring over.
 */
export class SchedulerPlacer implements FramePlacer {
  readonly scheduler: Scheduler;
  #signature = '';

  constructor(clock: () => number, strategy: Strategy, model: LatencyModel) {
    this.scheduler = new Scheduler(clock, APP_TARGETS, { strategy }, model);
  }

  place(stages: readonly StageSpec[], sequence: number, pixels: number): TargetKind[] {
    const signature = `${pixels}|${stages.map((s) => `${s.effect}:${s.target}`).join(',')}`;
    if (signature !== this.#signature) {
      this.#signature = signature;
      // Every effect has a WGSL and a CPU kernel, so both targets implement every stage.
      this.scheduler.setChain(
        stages.map((s) => ({ kind: s.effect, targets: ['gpu', 'cpu'], pinned: s.target })),
        pixels,
      );
    }
    return this.scheduler.decide(sequence) as TargetKind[];
  }

  measured(m: FrameMeasurement): void {
    for (const { index, ms } of m.cpu) this.scheduler.report(index, 'cpu', ms);
    for (const { indices, ms } of m.gpu) {
      // A segment's time is shared among its stages in proportion to what each is expected to
      // cost (equally while nothing is known).
      const expected = indices.map((i) => this.scheduler.costs.compute(i, 'gpu') ?? 1);
      const total = expected.reduce((a, b) => a + b, 0);
      indices.forEach((i, k) => this.scheduler.report(i, 'gpu', (ms * expected[k]) / total));
    }
    for (const t of m.transfers) this.scheduler.reportTransfer(t.from, t.to, t.ms);
  }

  failed(target: TargetKind, reason: string): void {
    this.scheduler.reportFailure(target, reason);
  }
}
