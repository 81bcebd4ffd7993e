import type { StageSpec } from '../../effects/chain';
import type { FrameTiming, SchedulerPlacer } from '../../engine';
import { FrameMeter } from '../../perf/frame-meter';
import { STRATEGIES } from '../../perf/report';
import type { PlacementChange, Prediction, Strategy } from '../../scheduler';

/** What the live panel reads from the app. */
export interface PerfHost {
  /** 'manual' or the strategy placing stages now. */
  readonly placement: 'manual' | Strategy;
  /** The enabled stages of the chain and the source's pixel count (null: nothing to show). */
  readonly workload: { stages: readonly StageSpec[]; pixels: number } | null;
  /** The target each stage ran on in the last frame, by stage id. */
  readonly lastTargets: ReadonlyMap<string, string>;
  placer(strategy: Strategy): SchedulerPlacer;
  /** Frames a live source dropped (video played to its clock, camera). */
  readonly dropped: number;
  /** Jobs waiting or running, by target ("gpu": frames submitted, not done; "cpu": the pool). */
  queueDepth(): Record<string, number>;
}

/** A strategy's prediction as the panel keeps it (the figures, not the plan). */
export type PredictedRate = Omit<Prediction, 'plan' | 'utilization'>;

export interface StageTimeRow {
  stage: string;
  effect: string;
  times: Record<string, number | undefined>;
  chosen: string | null;
}

/** One point of the timeline: time (s), FPS, and each target's busy share. */
export interface TimelinePoint {
  t: number;
  fps: number;
  busy: Record<string, number>;
}

const TIMELINE_POINTS = 240;
const SAMPLE_MS = 250;

/**
 * The live performance panel's numbers: FPS and frame time from the engine's own frame timings
 * (a sliding window), each strategy's last measured FPS (live, or from compare mode) beside the
 * scheduler's prediction, stage × target times, utilization and queues, dropped frames, a
 * timeline, and the log of placement changes.
 */
export class PerfState {
  visible = $state(true);
  /** Shown as a one-line strip under the viewer instead of a column beside it. */
  compact = $state(false);
  /**
   * Whether the last frame came from a stream (a playing video, the camera, the 3D scene). Only
   * then is there a rate: for a still, `fps` is 0, `frameMs` is that frame's time and the panel
   * says "still image".
   */
  live = $state(false);
  fps = $state(0);
  frameMs = $state(0);
  /**
   * Frames measured since the meter last started over (a strategy change, a stream starting or
   * stopping, or a still frame starts it over).
   */
  frames = $state(0);
  dropped = $state(0);
  utilization = $state.raw<Record<string, number>>({});
  queues = $state.raw<Record<string, number>>({});
  /** Last measured FPS per placement mode (live frames under it, or compare mode). */
  measured = $state.raw<Partial<Record<'manual' | Strategy, number>>>({});
  /**
   * Per strategy, from the plan that strategy runs: at the app's frames in flight with a range
   * from the estimates' spread, one at a time, overlapping freely, and at 1–4 frames in flight.
   */
  predicted = $state.raw<Partial<Record<Strategy, PredictedRate | null>>>({});
  stageTimes = $state.raw<StageTimeRow[]>([]);
  changes = $state.raw<PlacementChange[]>([]);
  /** Bumped when the timeline gains a point (the plot redraws on it). */
  timelineVersion = $state(0);
  readonly timeline: TimelinePoint[] = [];
  readonly meter = new FrameMeter(60);
  readonly #host: PerfHost;
  readonly #clock: () => number;
  #mode: string | null = null;
  #live = false;
  /** The last frame's own time (ms), what a still shows. */
  #lastMs = 0;
  #lastSample = -Infinity;
  #trailing: ReturnType<typeof setTimeout> | null = null;
  readonly #origin: number;

  constructor(host: PerfHost, clock: () => number = () => performance.now()) {
    this.#host = host;
    this.#clock = clock;
    this.#origin = clock();
  }

  /**
   * A frame finished (its timing resolved): the window moves on. The panel's figures are
   * published at most every `SAMPLE_MS` (and once more after the last frame), so a fast source
   * does not redraw the panel on every frame.
   */
  record(timing: FrameTiming, live = false): void {
    const mode = this.#host.placement;
    // A stream's window starts over with a new strategy, and when a stream starts or stops; a
    // still is a window of its own: two stills a second apart are not a rate, nor is a still
    // beside the frames of a video.
    if (mode !== this.#mode || live !== this.#live || !live) {
      this.#mode = mode;
      this.#live = live;
      this.meter.reset();
    }
    this.#lastMs = timing.finishedAt - timing.startedAt;
    this.meter.record({
      finishedAt: timing.finishedAt,
      ms: timing.finishedAt - timing.startedAt,
      spans: timing.spans,
    });
    const wait = this.#lastSample + SAMPLE_MS - this.#clock();
    if (wait <= 0) this.#publish();
    else this.#trailing ??= setTimeout(() => this.#publish(), wait);
  }

  #publish(): void {
    if (this.#trailing !== null) clearTimeout(this.#trailing);
    this.#trailing = null;
    this.#lastSample = this.#clock();
    const mode = this.#mode ?? this.#host.placement;
    this.live = this.#live;
    this.fps = this.#live ? this.meter.fps : 0;
    this.frameMs = this.#live ? this.meter.frameMs : this.#lastMs;
    this.frames = this.meter.frames;
    this.dropped = this.#host.dropped;
    if (this.#live && this.meter.samples.length >= 2)
      this.measured = { ...this.measured, [mode]: this.fps };
    this.refresh();
  }

  /** Recomputes the slower figures (predictions, stage table, timeline point). */
  refresh(): void {
    const host = this.#host;
    this.utilization = this.meter.utilization();
    this.queues = host.queueDepth();
    const work = host.workload;
    const placer = host.placer('auto');
    if (work && work.stages.length > 0) {
      const predicted: typeof this.predicted = {};
      // Each strategy's own scheduler answers (they share the latency model): its prediction is
      // the plan it runs.
      for (const s of STRATEGIES) {
        const p = host.placer(s).predict(work.stages, work.pixels, s);
        if (!p) predicted[s] = null;
        else {
          const { plan: _plan, utilization: _utilization, ...rates } = p;
          predicted[s] = rates;
        }
      }
      this.predicted = predicted;
      this.stageTimes = placer.stageTimes(work.stages, work.pixels).map((row, i) => ({
        ...row,
        effect: work.stages[i].effect,
        chosen: host.lastTargets.get(row.stage) ?? null,
      }));
    } else {
      this.predicted = {};
      this.stageTimes = [];
    }
    const mode = host.placement;
    this.changes = mode === 'manual' ? [] : [...host.placer(mode).scheduler.changes].reverse();
    this.timeline.push({
      t: (this.#clock() - this.#origin) / 1000,
      fps: this.fps,
      busy: this.utilization,
    });
    if (this.timeline.length > TIMELINE_POINTS) this.timeline.shift();
    this.timelineVersion++;
  }

  /** A clock time (ms) as a timeline time (s since the panel started). */
  timelineSeconds(ms: number): number {
    return (ms - this.#origin) / 1000;
  }

  /** Compare mode's measurements become each strategy's last measured FPS. */
  setMeasured(strategy: Strategy, fps: number): void {
    if (this.#trailing !== null) this.#publish(); // live figures from before, not after, this
    this.measured = { ...this.measured, [strategy]: fps };
  }

  toggle(): void {
    this.visible = !this.visible;
  }

  /** Between the full panel and the compact strip (both keep measuring). */
  toggleCompact(): void {
    this.compact = !this.compact;
  }

  /** Whether the full panel is beside the viewer. */
  get panelOpen(): boolean {
    return this.visible && !this.compact;
  }
}
