import { isMlTarget } from '../../core/targets';
import type { FrameStats } from '../../engine';
import type { EndpointHealth } from '../../ml/remote/client';
import type { RuntimeRestartEvent } from '../../ml/runtime/restarts';
import { OutageLog, type OutageEvent, type OutageSpan } from '../../session/outages';

/** Parts of the machine the recovery log names. */
export const GPU_DEVICE = 'GPU device';
export const FRAMES = 'Frames';
export const ENDPOINT = 'Endpoint';

/**
 * What failed and what came back, for the panel's recovery log and the timeline's outage bands:
 * the GPU device, the frames (shown again on the new device), each AI target that ran before a
 * loss (back when it runs a stage again), an AI runtime that lost a GPU device of its own (back
 * when its model loaded in the restarted runtime, or it ran a stage), and the inference endpoint.
 */
export class RecoveryState {
  readonly log: OutageLog;
  /** The log's latest events and spans (reactive copies; the log itself is plain). */
  events = $state.raw<readonly OutageEvent[]>([]);
  spans = $state.raw<readonly OutageSpan[]>([]);
  #endpointAnswered = false;

  constructor(clock: () => number = () => performance.now()) {
    this.log = new OutageLog(clock);
  }

  /** The device was lost: it, the frames, and the AI targets the last frame ran are out. */
  deviceLost(message: string, lastFrame: FrameStats | null): void {
    this.log.lost(GPU_DEVICE, message);
    this.log.lost(FRAMES, 'no frame can be shown until a new device is ready');
    for (const r of lastFrame?.ran ?? [])
      if (isMlTarget(r.target) && !r.skipped) this.log.lost(r.target, 'its GPU device was lost');
    this.#publish();
  }

  deviceReady(generation: number): void {
    this.log.back(GPU_DEVICE, `a new device (the ${ordinal(generation)}) is ready`);
    this.#publish();
  }

  /** A frame was shown: the frames are back, and each AI target that ran one of its stages. */
  framePresented(stats: FrameStats): void {
    const before = this.log.version;
    this.log.back(FRAMES, 'a frame was shown on the new device');
    for (const r of stats.ran)
      if (isMlTarget(r.target) && !r.skipped) this.log.back(r.target, 'ran an AI stage again');
    if (this.log.version !== before) this.#publish();
  }

  /** An AI runtime lost its own GPU device and was restarted, or is back with its model. */
  runtime(e: RuntimeRestartEvent): void {
    const before = this.log.version;
    if (e.event === 'lost') this.log.lost(e.target, e.detail);
    else this.log.back(e.target, e.detail);
    if (this.log.version !== before) this.#publish();
  }

  /** The endpoint's health changed: out once it stops answering (after it had answered). */
  endpointHealth(health: EndpointHealth): void {
    const before = this.log.version;
    if (health.state === 'ready') {
      this.#endpointAnswered = true;
      this.log.back(ENDPOINT, 'answers again');
    } else if (this.#endpointAnswered && health.state !== 'unknown') {
      this.log.lost(ENDPOINT, health.detail);
    }
    if (this.log.version !== before) this.#publish();
  }

  #publish(): void {
    this.events = [...this.log.events];
    this.spans = this.log.spans.map((s) => ({ ...s }));
  }
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
