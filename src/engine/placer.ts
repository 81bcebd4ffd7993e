import { findMlEffect, runsOnGpuSide } from '../effects/catalogue';
import { isCustomEffectId } from '../effects/custom/registry';
import type { StageSpec } from '../effects/chain';
import {
  ML_TARGET_DEVICE,
  isMlTarget,
  type MlTarget,
  type StageTarget as TargetKind,
} from '../core/targets';
import { ownMs, type RemoteLink } from '../ml/remote/link';
import { LatencyModel, Scheduler, type Strategy, type TargetInfo } from '../scheduler';

/**
 * When a measured part ended (clock ms). With its `ms` it is the interval the live panel's busy
 * shares are made of (parts of overlapping frames overlap; a share is their union).
 */
export interface Ended {
  endedAt?: number;
}

/** What the engine measured while running one frame, for the placer to learn from. */
export interface FrameMeasurement {
  /** The frame's sequence number as `place` was given it (the scheduler times its plans). */
  frame?: number;
  /** CPU stages, timed one by one (index into the frame's enabled stages). */
  cpu: ({ index: number; ms: number } & Ended)[];
  /**
   * GPU segments: consecutive GPU stages submitted together, timed together. clean: submitted to
   * an idle queue (the time is theirs alone); otherwise it may include work queued before them.
   */
  gpu: ({ indices: number[]; ms: number; clean: boolean } & Ended)[];
  /**
   * AI stages, timed one by one on their ML target (pre/post-processing included). On the
   * endpoint, `link` is the part spent getting tensors there (serialize, network) and back
   * (deserialize), which the scheduler learns as transfers, and the wait in the server's queue,
   * which is no one's work.
   */
  ml: ({
    index: number;
    target: MlTarget;
    ms: number;
    /** False for a GPU target timed without waiting for its GPU work (it may not be done). */
    clean: boolean;
    link?: RemoteLink;
    /** Where the frame was when the stage ran: the endpoint's round trip starts and ends there. */
    at?: 'gpu' | 'cpu';
  } & Ended)[];
  /**
   * Moves between memories. clean: timed whole on an idle queue (copy included); otherwise the
   * time may leave out the copy (the panel's busy share only).
   */
  transfers: ({ from: 'gpu' | 'cpu'; to: 'gpu' | 'cpu'; ms: number; clean?: boolean } & Ended)[];
  /**
   * A clean frame that ran alone: its time beyond its stages and moves (recording, submitting,
   * presenting, waiting for callbacks) — work every plan pays once a frame.
   */
  frameMs?: number;
}

/** Decides where each enabled stage of a frame runs, and learns from what was measured. */
export interface FramePlacer {
  place(stages: readonly StageSpec[], sequence: number, pixels: number): TargetKind[];
  measured(measurement: FrameMeasurement): void;
  /** A target failed a stage (the engine already ran it elsewhere). */
  failed(target: TargetKind, reason: string): void;
  /** Whether this frame's GPU work should be timed cleanly (an idle queue; costs a little). */
  cleanTiming?(sequence: number): boolean;
  /** Whether the placement strategy allows a target now (healthy, and of an allowed kind). */
  allows?(target: TargetKind): boolean;
  /** The frames stopped for something that is not the plan (a seek): no time of its. */
  interrupted?(): void;
}

/** Manual placement: every stage where the user pinned it. */
export const pinnedPlacer: FramePlacer = {
  place: (stages) => stages.map((s) => s.target),
  measured: () => {},
  failed: () => {},
};

/**
 * The targets the app has. The ML targets share the physical devices of the pixel targets
 * (ort-webgpu and tfjs-webgpu the GPU, ort-wasm the CPU cores); WebNN is an accelerator. Every
 * AI stage but the endpoint's leaves the frame on the GPU as far as the scheduler is concerned:
 * segmentation composites on the GPU side (the engine uploads a frame in CPU memory first), and
 * super-resolution's round trip is inside its time.
 *
 * An endpoint on this machine (`localEndpoint`) computes on the same cores as ort-wasm and the CPU
 * workers, so it is planned on the CPU's device: as a device of its own, a split between it and
 * ort-wasm looked like twice the capacity (predicted +37–123% in the browser, on two cores) and
 * ran slower than the endpoint alone.
 */
export function appTargets(localEndpoint = false): TargetInfo[] {
  return [
    { id: 'gpu', device: 'gpu', location: 'gpu' },
    { id: 'cpu', device: 'cpu', location: 'cpu' },
    ...(Object.entries(ML_TARGET_DEVICE) as [MlTarget, string][]).map(([id, device]) => ({
      id,
      device: device === 'remote' && localEndpoint ? 'cpu' : device,
      // The endpoint's tensors cross a network: that link is measured as transfers.
      location: device === 'remote' ? 'remote' : 'gpu',
      accelerator: device === 'npu' || device === 'remote',
    })),
  ];
}

/** The targets with the endpoint elsewhere (where results live and which are accelerators). */
export const APP_TARGETS: TargetInfo[] = appTargets();

/** One frame in this many is timed cleanly after calibration (see `cleanTiming`). */
const CLEAN_EVERY = 10;

/** Runs work soon, after the current task (the scheduler's re-plans, off the frame path). */
export type Defer = (work: () => void) => void;
const defer: Defer = (work) => void setTimeout(work, 0);

/**
 * Places stages with the scheduler under a strategy. One latency model is shared by all the
 * strategies' placers, so switching strategy does not start measuring over.
 */
export class SchedulerPlacer implements FramePlacer {
  readonly scheduler: Scheduler;
  readonly #mlTargets: () => readonly MlTarget[];
  readonly #defer: Defer;
  #maintaining = false;
  #signature = '';
  /** The chain's effects, stage by stage (see `#learnedWhenClean`). */
  #effects: string[] = [];

  /**
   * `mlTargets`: the ML targets available now (AI stages may run on any of them). `later` runs
   * the scheduler's re-plans after the current task, never inside `place`. `localEndpoint`: the
   * endpoint runs on this machine (see `appTargets`).
   */
  constructor(
    clock: () => number,
    strategy: Strategy,
    model: LatencyModel,
    mlTargets: () => readonly MlTarget[] = () => ['ort-wasm'],
    later: Defer = defer,
    localEndpoint = false,
  ) {
    // The engine has one frame in flight unless told more (`setInFlight`).
    const targets = appTargets(localEndpoint);
    this.scheduler = new Scheduler(clock, targets, { strategy, inFlight: 1 }, model);
    this.#mlTargets = mlTargets;
    this.#defer = later;
  }

  /** The targets for a frame's stages: a read of the plan, no search (see `#maintainSoon`). */
  place(stages: readonly StageSpec[], sequence: number, pixels: number): TargetKind[] {
    this.#setChain(stages, pixels);
    const targets = this.scheduler.decide(sequence) as TargetKind[];
    this.#maintainSoon();
    return targets;
  }

  /** Re-plans after the current task when the plan went stale. */
  #maintainSoon(): void {
    if (this.#maintaining || this.scheduler.stale === null) return;
    this.#maintaining = true;
    this.#defer(() => {
      this.#maintaining = false;
      this.scheduler.maintain();
    });
  }

  /** Tells the scheduler the chain, when it changed (targets, pins, size, ML targets here). */
  #setChain(stages: readonly StageSpec[], pixels: number): void {
    const ml = this.#mlTargets();
    const signature = `${pixels}|${ml.join('+')}|${stages.map((s) => `${s.effect}:${s.target}`).join(',')}`;
    if (signature !== this.#signature) {
      this.#signature = signature;
      this.#effects = stages.map((s) => s.effect);
      // Pixel effects have a WGSL and a CPU kernel (custom WGSL effects: the GPU only); every AI
      // effect runs on any ML target.
      this.scheduler.setChain(
        stages.map((s) => ({
          kind: s.effect,
          targets: findMlEffect(s.effect)
            ? [...ml]
            : isCustomEffectId(s.effect)
              ? ['gpu']
              : ['gpu', 'cpu'],
          pinned: s.target,
        })),
        pixels,
      );
    }
  }

  /**
   * What the latency model knows of a chain: each stage's mean time (ms) on each target that
   * implements it (undefined: not measured yet).
   */
  stageTimes(
    stages: readonly StageSpec[],
    pixels: number,
  ): { stage: string; times: Record<string, number | undefined> }[] {
    this.#setChain(stages, pixels);
    const ml = this.#mlTargets();
    return stages.map((s, i) => ({
      stage: s.id,
      times: Object.fromEntries(
        (findMlEffect(s.effect) ? ml : ['gpu', 'cpu']).map((t) => [
          t,
          this.scheduler.costs.compute(i, t),
        ]),
      ),
    }));
  }

  /**
   * Predicted frames per second of a chain under a strategy (null: not enough measured): the
   * plan that strategy runs when asked of its own placer.
   */
  predict(
    stages: readonly StageSpec[],
    pixels: number,
    strategy: Strategy,
  ): ReturnType<Scheduler['predict']> {
    this.#setChain(stages, pixels);
    return this.scheduler.predict(strategy);
  }

  /** How many frames the engine has in flight at most (the plans are made for that). */
  setInFlight(frames: number): void {
    this.scheduler.setInFlight(frames);
  }

  /**
   * Calibration frames, frames the scheduler sent off its plan to measure something, and one in
   * ten after: the samples the latency model learns GPU times from.
   */
  cleanTiming(sequence: number): boolean {
    const check = this.scheduler.checkOf(sequence);
    return (
      this.scheduler.calibrating ||
      (check !== undefined && this.#learnedWhenClean(check.stage, check.target)) ||
      sequence % CLEAN_EVERY === CLEAN_EVERY - 1
    );
  }

  /**
   * Whether a stage on a target is learned from clean frames only: its work is on the GPU queue
   * (a GPU kernel, an ML target on the GPU, or a segmentation effect's GPU side), where other
   * frames' work would be in its time. The CPU's stages, and super-resolution on the workers'
   * runtime or the endpoint, are learned on every frame: a check of them needs no clean frame.
   * (At two frames in flight, every check of the endpoint's super-resolution, a sample that
   * swings with the other frame's request beside it, timed its frame cleanly: 8–12 of the 3D
   * preview's 20 timed frames under each accelerator strategy, each waiting for an idle queue.)
   */
  #learnedWhenClean(stage: number, target: string): boolean {
    if (target === 'cpu') return false;
    if (!isMlTarget(target) || ML_TARGET_DEVICE[target] === 'gpu') return true; // WGSL kernels too
    return runsOnGpuSide(this.#effects[stage] ?? '');
  }

  allows(target: TargetKind): boolean {
    return this.scheduler.allowed(target);
  }

  measured(m: FrameMeasurement): void {
    if (m.frameMs !== undefined) this.scheduler.reportFrame(m.frameMs);
    if (m.frame !== undefined) this.scheduler.shown(m.frame);
    for (const { index, ms } of m.cpu) this.scheduler.report(index, 'cpu', ms);
    for (const { index, target, ms, link, clean, at = 'gpu' } of m.ml) {
      if (!clean) continue;
      const location = APP_TARGETS.find((t) => t.id === target)!.location;
      this.scheduler.report(index, target, ownMs(ms, link));
      if (link) {
        this.scheduler.reportTransfer(at, location, link.outMs);
        this.scheduler.reportTransfer(location, at, link.backMs);
      }
    }
    for (const { indices, ms, clean } of m.gpu) {
      if (!clean) continue;
      // A segment's time is shared among its stages in proportion to what each is expected to
      // cost (equally while nothing is known).
      const expected = indices.map((i) => this.scheduler.costs.compute(i, 'gpu') ?? 1);
      const total = expected.reduce((a, b) => a + b, 0);
      this.scheduler.reportTogether(
        'gpu',
        indices,
        expected.map((e) => (ms * e) / total),
      );
    }
    for (const t of m.transfers)
      if (t.clean !== false) this.scheduler.reportTransfer(t.from, t.to, t.ms);
    this.#maintainSoon();
  }

  failed(target: TargetKind, reason: string): void {
    this.scheduler.reportFailure(target, reason);
    this.#maintainSoon();
  }

  interrupted(): void {
    this.scheduler.interrupted();
  }
}
