import type { Compiled } from './problem';

/** One frame's work under one assignment: its jobs in order, each on one resource for `ms`. */
export interface FrameJobs {
  resource: Int32Array;
  ms: Float64Array;
}

/**
 * The jobs a frame makes under an assignment (an option index per stage): for each stage a
 * transfer first when the frame is elsewhere, then the compute; a last transfer to the sink, and
 * the frame's own work outside the stages (`Compiled.frame`).
 * Consecutive stages in one place share it: no transfer between them.
 */
export function frameJobs(c: Compiled, pick: ArrayLike<number>): FrameJobs {
  const L = c.locations.length;
  const resource: number[] = [];
  const ms: number[] = [];
  let here = c.source;
  for (let s = 0; s < pick.length; s++) {
    const o = c.options[s][pick[s]];
    if (o.location !== here) {
      resource.push(c.link[here * L + o.location]);
      ms.push(c.transfer[here * L + o.location]);
      here = o.location;
    }
    resource.push(o.device);
    ms.push(o.cost);
  }
  if (here !== c.sink) {
    resource.push(c.link[here * L + c.sink]);
    ms.push(c.transfer[here * L + c.sink]);
  }
  if (c.frame) {
    resource.push(c.frame.resource);
    ms.push(c.frame.ms);
  }
  return { resource: Int32Array.from(resource), ms: Float64Array.from(ms) };
}

/** Each resource's mean time per frame over a cycle of frames (the steady-state loads). */
export function cycleLoads(resources: number, cycle: readonly FrameJobs[]): Float64Array {
  const load = new Float64Array(resources);
  for (const jobs of cycle)
    for (let j = 0; j < jobs.resource.length; j++) load[jobs.resource[j]] += jobs.ms[j];
  for (let r = 0; r < resources; r++) load[r] /= cycle.length;
  return load;
}

/** Shown time of each frame (frames are shown in order), for `frames` frames. */
export function runPipeline(
  resources: number,
  cycle: readonly FrameJobs[],
  inFlight: number,
  frames: number,
): Float64Array {
  const K = Math.max(1, Math.min(inFlight, frames));
  const R = resources;
  const busy = new Uint8Array(R);
  const runEnd = new Float64Array(R);
  const runFrame = new Int32Array(R);
  const runSeq = new Int32Array(R);
  const ready = new Int32Array(R * K);
  const readyLen = new Int32Array(R);
  const seen = new Uint8Array(R);
  const order = new Int32Array(R);
  let orderLen = 0;
  const jobIndex = new Int32Array(frames);
  const finish = new Float64Array(frames);
  let now = 0;
  let admitted = 0;
  let running = 0;
  let seq = 0;
  const C = cycle.length;

  // The same rules as the discrete-event simulator (sim/simulator.ts), on indices: each resource
  // runs one job at a time, the lowest frame first among those ready; finished jobs are handled
  // in the order they end (ties: the one started first); frames enter while fewer than
  // `inFlight` are in the pipeline.
  const enqueue = (r: number, f: number) => {
    if (!seen[r]) {
      seen[r] = 1;
      order[orderLen++] = r;
    }
    const base = r * K;
    let i = readyLen[r]++;
    while (i > 0 && ready[base + i - 1] > f) {
      ready[base + i] = ready[base + i - 1];
      i--;
    }
    ready[base + i] = f;
  };
  const next = (f: number) => {
    const jobs = cycle[f % C];
    const j = jobIndex[f];
    if (j >= jobs.resource.length) {
      finish[f] = now;
      running--;
    } else enqueue(jobs.resource[j], f);
  };
  const admit = () => {
    while (running < K && admitted < frames) {
      running++;
      next(admitted++);
    }
  };
  const startIdle = () => {
    for (let i = 0; i < orderLen; i++) {
      const r = order[i];
      if (busy[r] || readyLen[r] === 0) continue;
      const base = r * K;
      const f = ready[base];
      for (let k = 1; k < readyLen[r]; k++) ready[base + k - 1] = ready[base + k];
      readyLen[r]--;
      busy[r] = 1;
      runFrame[r] = f;
      runSeq[r] = seq++;
      const jobs = cycle[f % C];
      runEnd[r] = now + jobs.ms[jobIndex[f]];
    }
  };

  admit();
  startIdle();
  for (;;) {
    let r = -1;
    for (let i = 0; i < R; i++) {
      if (!busy[i]) continue;
      if (r < 0 || runEnd[i] < runEnd[r] || (runEnd[i] === runEnd[r] && runSeq[i] < runSeq[r]))
        r = i;
    }
    if (r < 0) break;
    now = runEnd[r];
    busy[r] = 0;
    const f = runFrame[r];
    jobIndex[f]++;
    next(f);
    admit();
    startIdle();
  }
  for (let f = 1; f < frames; f++) finish[f] = Math.max(finish[f], finish[f - 1]);
  return finish;
}

/** The steady-state time per frame (ms) of a cycle of frames with `inFlight` frames at once. */
export function pipelinePeriod(
  resources: number,
  cycle: readonly FrameJobs[],
  inFlight: number,
): number {
  const C = cycle.length;
  // Two windows of whole cycles after a warm-up; where they disagree by more than 1% (a long
  // transient, or a steady state that repeats over more frames than a window), once more with
  // four times the length, averaged over its last window.
  let window = C * Math.ceil(32 / C);
  let warm = 16 + 4 * Math.min(inFlight, 16) + C;
  for (let attempt = 0; ; attempt++) {
    const frames = warm + 2 * window;
    const shown = runPipeline(resources, cycle, inFlight, frames);
    const last = (shown[frames - 1] - shown[frames - 1 - window]) / window;
    const before = (shown[frames - 1 - window] - shown[frames - 1 - 2 * window]) / window;
    if (Math.abs(last - before) <= 0.01 * last || attempt === 1) return Math.max(1e-9, last);
    window *= 4;
    warm *= 4;
  }
}
