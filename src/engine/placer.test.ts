import { describe, expect, it } from 'vitest';
import { createStage } from '../effects/chain';
import { findEntry } from '../effects/catalogue';
import { LatencyModel, strategyAllows } from '../scheduler';
import { isMlTarget } from '../core/targets';
import { linkOf } from '../ml/remote/link';
import { APP_TARGETS, SchedulerPlacer, appTargets } from './placer';

const stage = (effect: string, target?: string) => {
  const s = createStage(findEntry(effect)!);
  return target ? { ...s, target: target as typeof s.target } : s;
};

describe('placing AI stages with the scheduler', () => {
  it('registers every ML target on the device whose time it uses', () => {
    const byId = Object.fromEntries(APP_TARGETS.map((t) => [t.id, t]));
    expect(byId['ort-wasm'].device).toBe(byId.cpu.device);
    expect(byId['ort-webgpu'].device).toBe(byId.gpu.device);
    expect(byId['tfjs-webgpu'].device).toBe(byId.gpu.device);
    expect(byId['ort-webnn'].accelerator).toBe(true);
    const gpuOnly = APP_TARGETS.filter((t) => strategyAllows('gpu-only', t)).map((t) => t.id);
    expect(gpuOnly.sort()).toEqual(['gpu', 'ort-webgpu', 'tfjs-webgpu']);
    const withAccelerator = APP_TARGETS.filter((t) => strategyAllows('gpu+accelerator', t));
    expect(withAccelerator.map((t) => t.id)).toContain('ort-webnn');
    expect(withAccelerator.map((t) => t.id)).not.toContain('ort-wasm');
  });

  it('plans an endpoint on this machine on the CPU’s cores: a split with ort-wasm adds nothing', () => {
    const fps = (localEndpoint: boolean) => {
      let now = 0;
      const placer = new SchedulerPlacer(
        () => now,
        'auto',
        new LatencyModel(() => now),
        () => ['remote', 'ort-wasm'],
        undefined,
        localEndpoint,
      );
      placer.setInFlight(2);
      const chain = [stage('show-mask')];
      placer.predict(chain, 256 * 256, 'auto');
      for (let i = 0; i < 12; i++) {
        placer.scheduler.report(0, 'remote', 100);
        placer.scheduler.report(0, 'ort-wasm', 100);
        placer.scheduler.reportTransfer('gpu', 'remote', 1);
        placer.scheduler.reportTransfer('remote', 'gpu', 1);
        now += 10;
      }
      now += 5000; // past the cached prediction
      return placer.predict(chain, 256 * 256, 'auto')!.fps;
    };
    expect(appTargets(true).find((t) => t.id === 'remote')!.device).toBe('cpu');
    expect(fps(true)).toBeLessThan(10.5); // one 100 ms model run at a time on the cores
    expect(fps(false)).toBeGreaterThan(1.5 * fps(true)); // two devices: the split pays
  });

  it('puts an AI stage only on the ML targets available now, and pixel stages on gpu/cpu', () => {
    let now = 0;
    const available = ['ort-wasm', 'ort-webgpu'] as const;
    const placer = new SchedulerPlacer(
      () => now,
      'cpu+gpu+accelerator',
      new LatencyModel(() => now),
      () => available,
    );
    const chain = [stage('invert'), stage('background-blur')];
    const seen = new Set<string>();
    for (let frame = 0; frame < 60; frame++) {
      const [pixel, ai] = placer.place(chain, frame, 256 * 256);
      expect(['gpu', 'cpu']).toContain(pixel);
      if (!isMlTarget(ai)) throw new Error(`AI stage placed on ${ai}`);
      expect(available).toContain(ai);
      seen.add(ai);
      // ort-wasm is measured much faster than ort-webgpu: the plan should settle on it.
      placer.measured({
        cpu: pixel === 'cpu' ? [{ index: 0, ms: 4 }] : [],
        gpu: pixel === 'gpu' ? [{ indices: [0], ms: 1, clean: true }] : [],
        ml: [{ index: 1, target: ai, ms: ai === 'ort-wasm' ? 30 : 300, clean: true }],
        transfers: [],
      });
      now += 50;
    }
    expect(seen).toEqual(new Set(available)); // both were measured
    const last = [60, 61, 62].map((f) => placer.place(chain, f, 256 * 256)[1]);
    expect(last).toEqual(['ort-wasm', 'ort-wasm', 'ort-wasm']);
  });

  it('learns GPU times only from cleanly timed frames: calibration, then one in ten', () => {
    let now = 0;
    const model = new LatencyModel(() => now);
    const placer = new SchedulerPlacer(
      () => now,
      'auto',
      model,
      () => ['ort-wasm'],
    );
    const chain = [stage('invert')];
    const cleanFrames: number[] = [];
    for (let frame = 0; frame < 60; frame++) {
      const [target] = placer.place(chain, frame, 256 * 256);
      const clean = placer.cleanTiming(frame);
      if (clean) cleanFrames.push(frame);
      // A clean frame measures the GPU stage at 2 ms; the others see 40 ms of queued work.
      placer.measured({
        cpu: target === 'cpu' ? [{ index: 0, ms: 8 }] : [],
        gpu: target === 'gpu' ? [{ indices: [0], ms: clean ? 2 : 40, clean }] : [],
        ml: [],
        transfers: [],
      });
      now += 50;
    }
    // Calibration (every frame until both targets have their samples), then frames 9, 19, ….
    const calibrated = cleanFrames.findIndex((f, i) => f !== i);
    expect(calibrated).toBeGreaterThan(10);
    expect(cleanFrames.slice(calibrated).every((f) => f % 10 === 9)).toBe(true);
    const gpu = placer.stageTimes(chain, 256 * 256)[0].times.gpu!;
    expect(gpu).toBeCloseTo(2, 6);
    expect(placer.place(chain, 60, 256 * 256)).toEqual(['gpu']);
  });

  it('a GPU spike on a clean frame: the next frame checks it, timed cleanly, and the plan stays', () => {
    let now = 0;
    const model = new LatencyModel(() => now);
    const placer = new SchedulerPlacer(
      () => now,
      'cpu+gpu+accelerator',
      model,
      () => ['ort-wasm'],
      (work) => work(), // re-plans at once (the app defers them off the frame path)
    );
    const chain = [stage('invert'), stage('film-grain'), stage('posterize')];
    const pixels = 256 * 256;
    /** Renders one frame: GPU stages 2 ms each (`spike` for the frame's GPU time), CPU 8 ms. */
    const frame = (sequence: number, spike = 0) => {
      const targets = placer.place(chain, sequence, pixels);
      const clean = placer.cleanTiming(sequence);
      const onGpu = targets.flatMap((t, i) => (t === 'gpu' ? [i] : []));
      placer.measured({
        cpu: targets.flatMap((t, i) => (t === 'cpu' ? [{ index: i, ms: 8 }] : [])),
        // Only clean frames reach the model; the others see queued work (here 50 ms).
        gpu: onGpu.length
          ? [{ indices: onGpu, ms: clean ? spike || 2 * onGpu.length : 50, clean }]
          : [],
        ml: [],
        transfers: [],
      });
      now += 30;
      return { targets, clean };
    };
    let sequence = 0;
    do frame(sequence++);
    while (placer.scheduler.calibrating);
    for (let i = 0; i < 10; i++) frame(sequence++);
    expect(frame(sequence++).targets).toEqual(['gpu', 'gpu', 'gpu']);
    // The next clean frame stalls for 300 ms (another process took the GPU once).
    while (!placer.cleanTiming(sequence)) frame(sequence++);
    frame(sequence++, 300);
    // The strategy keeps its plan and the next frame, timed cleanly (not the next one in ten),
    // checks the jump: the spike is found out and the estimates come back. (Moved on the spike,
    // "CPU + GPU + accelerator" ran its timed frames on a detour in the browser.)
    const after = Array.from({ length: 6 }, () => frame(sequence++));
    for (const f of after) expect(f.targets).toEqual(['gpu', 'gpu', 'gpu']);
    expect(after[0].clean).toBe(true);
    expect(placer.scheduler.planChanges).toBe(0);
    // One check, counted by what it checked (the bench reports which estimates it checks).
    expect(placer.scheduler.offPlan.verify).toBe(1);
    expect(placer.scheduler.verified).toEqual({ 'invert on gpu': 1 });
    const times = placer.stageTimes(chain, pixels).map((s) => s.times.gpu!);
    for (const t of times) expect(t).toBeCloseTo(2, 6);
  });

  it.each([
    ['super-resolution-x2', false],
    ['background-blur', true],
  ])(
    'a check of the endpoint running %s times its frame cleanly: %s (learned on every frame, or only from clean ones)',
    (effect, cleanly) => {
      let now = 0;
      const placer = new SchedulerPlacer(
        () => now,
        'gpu+accelerator',
        new LatencyModel(() => now),
        () => ['remote'],
        (work) => work(),
      );
      placer.setInFlight(2);
      const chain = [stage(effect), stage('vignette')];
      // As the engine learns them: super-resolution's round trip on every frame; segmentation's
      // (its GPU side: resize, composite) and the GPU's kernels on clean frames only.
      const everyFrame = effect === 'super-resolution-x2';
      const frame = (sequence: number, remoteMs = 100) => {
        placer.place(chain, sequence, 320 * 180); // as the engine: placed, then timed
        const clean = placer.cleanTiming(sequence);
        placer.measured({
          cpu: [],
          gpu: [{ indices: [1], ms: clean ? 2 : 20, clean }],
          ml: [{ index: 0, target: 'remote', ms: remoteMs, clean: clean || everyFrame }],
          transfers: [],
        });
        now += 60;
        return clean;
      };
      let sequence = 0;
      do frame(sequence++);
      while (placer.scheduler.calibrating);
      for (let i = 0; i < 12; i++) frame(sequence++);
      // The endpoint 4× slower on one sample, on a frame timed cleanly one in ten.
      while (sequence % 10 !== 9) frame(sequence++);
      frame(sequence++, 400);
      // The next frame checks it; it is not one of the frames timed cleanly one in ten.
      const check = sequence;
      expect(frame(sequence++)).toBe(cleanly);
      expect(placer.scheduler.checkOf(check)).toEqual({ stage: 0, target: 'remote' });
      expect(placer.scheduler.verified).toEqual({ [`${effect} on remote`]: 1 });
    },
  );

  it("a frame's own time beyond its stages (measured on clean frames run alone) is in the prediction", () => {
    let now = 0;
    const placer = new SchedulerPlacer(() => now, 'gpu-only', new LatencyModel(() => now));
    const chain = [stage('invert')];
    const pixels = 256 * 256;
    const run = (frameMs?: number) => {
      for (let frame = 0; frame < 30; frame++) {
        placer.place(chain, frame, pixels);
        placer.measured({
          cpu: [],
          gpu: [{ indices: [0], ms: 2, clean: true }],
          ml: [],
          transfers: [],
          frameMs,
        });
        now += 50;
      }
      now += 2000; // past the prediction's cache
      return placer.predict(chain, pixels, 'gpu-only')!.serialFps;
    };
    expect(run()).toBeCloseTo(500, 6);
    // 8 ms a frame of recording, submitting and presenting: 10 ms a frame in all.
    expect(run(8)).toBeCloseTo(100, 6);
  });

  it('allows only the targets its strategy allows, and not a failed one', () => {
    const placer = new SchedulerPlacer(
      () => 0,
      'gpu+accelerator',
      new LatencyModel(() => 0),
      () => ['ort-wasm', 'ort-webgpu', 'remote'],
    );
    expect(placer.allows('remote')).toBe(true);
    expect(placer.allows('ort-webgpu')).toBe(true);
    expect(placer.allows('ort-wasm')).toBe(false); // the CPU is not in GPU + accelerator
    expect(placer.allows('cpu')).toBe(false);
    placer.failed('remote', 'connection refused');
    expect(placer.allows('remote')).toBe(false);
  });

  it('moves an AI stage off a failing target', () => {
    const now = 0;
    const placer = new SchedulerPlacer(
      () => now,
      'gpu-only',
      new LatencyModel(() => now),
      () => ['ort-wasm', 'ort-webgpu', 'tfjs-webgpu'],
    );
    const chain = [stage('show-mask', 'ort-webgpu')];
    const first = placer.place(chain, 0, 256 * 256)[0];
    expect(['ort-webgpu', 'tfjs-webgpu']).toContain(first);
    placer.failed(first, 'device lost');
    const next = placer.place(chain, 1, 256 * 256)[0];
    expect(next).not.toBe(first);
    expect(['ort-webgpu', 'tfjs-webgpu']).toContain(next);
  });
});

describe('re-planning off the frame path', () => {
  it('place() never searches: the re-plan runs in the deferred task', () => {
    let now = 0;
    const queued: (() => void)[] = [];
    const placer = new SchedulerPlacer(
      () => now,
      'auto',
      new LatencyModel(() => now),
      () => ['ort-wasm'],
      (work) => queued.push(work),
    );
    const chain = [stage('invert'), stage('film-grain')];
    for (let frame = 0; frame < 40; frame++) {
      const targets = placer.place(chain, frame, 256 * 256);
      placer.measured({
        cpu: targets.flatMap((t, index) => (t === 'cpu' ? [{ index, ms: 6 }] : [])),
        gpu: targets.flatMap((t, index) =>
          t === 'gpu' ? [{ indices: [index], ms: 2, clean: true }] : [],
        ),
        ml: [],
        transfers: [],
      });
      now += 20;
    }
    expect(placer.scheduler.calibrating).toBe(false);
    expect(placer.scheduler.replanTimes).toHaveLength(0);
    expect(queued.length).toBe(1); // one re-plan waiting, not one per frame
    queued.shift()!();
    expect(placer.scheduler.replanTimes).toHaveLength(1);
    expect(placer.scheduler.plan).not.toBeNull();
  });
});

describe('the endpoint’s round trip', () => {
  it('is learned from where the frame was: after a CPU stage, CPU memory ↔ endpoint', () => {
    let now = 0;
    const placer = new SchedulerPlacer(
      () => now,
      'cpu+gpu+accelerator',
      new LatencyModel(() => now),
      () => ['remote'],
      () => {},
    );
    placer.place([stage('invert', 'cpu'), stage('show-mask')], 0, 256 * 256);
    for (let i = 0; i < 3; i++) {
      placer.measured({
        cpu: [{ index: 0, ms: 5 }],
        gpu: [],
        ml: [
          {
            index: 1,
            target: 'remote',
            ms: 100,
            clean: true,
            at: 'cpu',
            link: { outMs: 30, backMs: 20 },
          },
        ],
        transfers: [],
      });
      now += 10;
    }
    const costs = placer.scheduler.costs;
    expect(costs.transfer('cpu', 'remote')).toBeCloseTo(30);
    expect(costs.transfer('remote', 'cpu')).toBeCloseTo(20);
    // Nothing was learned about the GPU side's round trip.
    expect(costs.transfer('gpu', 'remote')).toBe(placer.scheduler.options.transferPriorMs);
  });

  it('leaves out the wait in the server’s queue: it is neither the link’s work nor the endpoint’s', () => {
    let now = 0;
    const placer = new SchedulerPlacer(
      () => now,
      'gpu+accelerator',
      new LatencyModel(() => now),
      () => ['remote'],
      () => {},
    );
    placer.place([stage('show-mask')], 0, 256 * 256);
    // Two frames in flight: this request queued 300 ms behind the other frame's.
    const trip = {
      serializeMs: 5,
      networkQueueMs: 325,
      computeMs: 60,
      queueMs: 300,
      deserializeMs: 20,
    };
    const ms = trip.serializeMs + trip.networkQueueMs + trip.computeMs + trip.deserializeMs;
    for (let i = 0; i < 3; i++) {
      placer.measured({
        cpu: [],
        gpu: [],
        ml: [{ index: 0, target: 'remote', ms, clean: true, at: 'gpu', link: linkOf(trip) }],
        transfers: [],
      });
      now += 10;
    }
    const costs = placer.scheduler.costs;
    expect(costs.transfer('gpu', 'remote')).toBeCloseTo(30);
    expect(costs.transfer('remote', 'gpu')).toBeCloseTo(20);
    expect(costs.compute(0, 'remote')).toBeCloseTo(60);
  });
});

describe('moves between memories', () => {
  it('are learned only when timed whole (clean frames): an upload timed at its call is not', () => {
    const now = 0;
    const placer = new SchedulerPlacer(
      () => now,
      'auto',
      new LatencyModel(() => now),
      () => ['ort-wasm'],
      () => {},
    );
    placer.place([stage('invert', 'cpu')], 0, 256 * 256);
    for (let i = 0; i < 3; i++)
      placer.measured({
        cpu: [],
        gpu: [],
        ml: [],
        transfers: [
          { from: 'cpu', to: 'gpu', ms: 0.05, clean: false },
          { from: 'cpu', to: 'gpu', ms: 3, clean: true },
        ],
      });
    expect(placer.scheduler.costs.transfer('cpu', 'gpu')).toBeCloseTo(3);
  });
});

describe('Auto times the plans it runs', () => {
  it('keeps the plan that ran faster, even where per-stage estimates prefer another', () => {
    let now = 0;
    const placer = new SchedulerPlacer(
      () => now,
      'auto',
      new LatencyModel(() => now),
      () => ['ort-wasm', 'ort-webgpu'],
      (work) => work(),
    );
    const chain = [stage('background-blur')];
    const ran: string[] = [];
    for (let frame = 0; frame < 120; frame++) {
      const [target] = placer.place(chain, frame, 256 * 256);
      if (!isMlTarget(target)) throw new Error(`AI stage placed on ${target}`);
      ran.push(target);
      // ort-wasm's stage reads faster, but its frames take longer (it crowds the cores the
      // rest of the frame needs): only the frames' own rate shows it.
      now += target === 'ort-wasm' ? 300 : 130;
      placer.measured({
        frame,
        cpu: [],
        gpu: [],
        ml: [{ index: 0, target, ms: target === 'ort-wasm' ? 100 : 110, clean: true }],
        transfers: [],
      });
    }
    expect(placer.scheduler.settling).toBe(false);
    expect(ran.slice(-10)).toEqual(new Array(10).fill('ort-webgpu'));
    expect(placer.scheduler.changes.map((c) => c.reason)).toContain(
      'first plan, after calibration: measuring 2 plans the model cannot tell apart',
    );
  });
});
