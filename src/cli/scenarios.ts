// `triad bench`: the three scenarios under the four strategies without a browser — the app's
// session, engine, schedulers and AI runner on Dawn in Node, measured by the same Compare code
// (src/session/compare) and written in the same shape as `npm run bench`
// (src/perf/scenario-results.ts), with `"runtime": "node-dawn"` and the adapter.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Strategy } from '../core/strategies';
import { CpuPool } from '../cpu';
import { chainFromStages, type Chain } from '../effects/chain';
import type { EffectEnv } from '../effects/effect';
import { packLut, type Lut } from '../effects/lut/lut';
import { sampleCube } from '../effects/lut/cube';
import { Engine } from '../engine';
import { dawnGpu } from '../gpu/dawn-node';
import { Presenter, textureTarget } from '../gpu';
import { nodeCpuWorker } from '../headless/cpu-worker';
import { nodeRuntimes } from '../headless/node-runtimes';
import { MlEffectRunner } from '../ml/effects/runner';
import { EndpointMonitor } from '../ml/remote/monitor';
import { STRATEGIES, toMarkdown, type CompareRow } from '../perf/report';
import {
  countsSince,
  median,
  orderOf,
  predictionsOf,
  resultsOf,
  type MeasuredRun,
} from '../perf/scenario-results';
import {
  BATCH_EFFECTS,
  SCENARIOS,
  preview3dStages,
  tealOrange,
  videoEditStages,
  type ScenarioId,
  type ScenarioSize,
} from '../perf/scenarios';
import { DEFAULT_CAMERA } from '../scene/orbit';
import { measureBatch } from '../session/compare/batch';
import { measureFrames, type FrameFeed } from '../session/compare/frames';
import type { CompareHost, CompareStatus } from '../session/compare/host';
import { Placements } from '../session/placement';
import { ScenePlayer } from '../session/scene-player';
import { Session } from '../session/session';
import { HOST_TIMERS } from '../session/timers';
import { chooseBackend, type AdapterChoice } from './gpu';
import { machine, watchEndpoint } from './host';
import { batchItems, clipFrames } from './scenario-sources';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ScenarioBenchOptions {
  small: boolean;
  /** Frame sizes and counts (SMALL_SIZE, FULL_SIZE or the command line's). */
  size: ScenarioSize;
  /** Scenarios to run (all by default). */
  only: ScenarioId[];
  /** Frames in flight for the frame scenarios (each a row); the batch runs at the last. */
  inFlight: number[];
  repeats: number;
  adapter: AdapterChoice;
  workers: number;
  endpoint?: string;
  token?: string;
  out?: string;
}

/** The presenter's target: what a viewer would show (its cost is part of a frame, as in the app). */
const OUTPUT: [number, number] = [640, 360];

/** The app's session and what it runs, in Node: a Compare host. */
class NodeBench {
  readonly host: CompareHost;
  readonly session: Session;
  readonly runner: MlEffectRunner;
  readonly scene: ScenePlayer;
  chain: Chain = { stages: [] };
  index = 0;
  inFlight = 2;
  generation = 0;
  readonly #placements: Placements;
  readonly #cpu: CpuPool;
  readonly #monitor: EndpointMonitor | null;
  #mode: Strategy = 'auto';

  constructor(options: ScenarioBenchOptions, compatibility: boolean, gpu: GPU, luts: Lut[]) {
    this.#cpu = new CpuPool(Math.max(1, options.workers), { create: nodeCpuWorker });
    this.runner = new MlEffectRunner(nodeRuntimes(), () => {});
    const { monitor, local } = watchEndpoint(this.runner, options.endpoint, options.token);
    this.#monitor = monitor;
    this.#placements = new Placements(
      () => performance.now(),
      () => this.runner.targets,
      () => this.inFlight,
      local,
    );
    const env: EffectEnv = { lut: (id) => luts.find((l) => l.id === id) };
    this.session = new Session(
      {
        gpu: { compatibility, gpu },
        timers: HOST_TIMERS,
        requestFrame: (callback) => setTimeout(callback, 0),
        inFlight: () => this.inFlight,
        createEngine: (gpu) => {
          const engine = new Engine(gpu, env, this.#cpu);
          engine.ml = this.runner;
          engine.placer = this.#placements.forMode(this.#mode);
          return engine;
        },
        frame: () => ({
          chain: this.chain,
          index: this.index,
          view: { zoom: 1, centre: [OUTPUT[0] / 2, OUTPUT[1] / 2], split: null },
          live: true,
        }),
      },
      {
        ready: async (gpu) => {
          this.generation++;
          await this.runner.setGpu(gpu);
        },
        status: () => {},
        error: () => {},
      },
    );
    this.session.attachOutput({
      size: () => OUTPUT,
      presenter: (gpu) => new Presenter(gpu, textureTarget(gpu, ...OUTPUT)),
    });
    const session = this.session;
    this.scene = new ScenePlayer(
      session.sourceHost({
        showSource: () => {},
        setFrameIndex: (i) => (this.index = i),
        onError: () => {},
      }),
      {
        active: false,
        playing: false,
        width: 1,
        height: 1,
        camera: { ...DEFAULT_CAMERA },
        time: 0,
        shown: 0,
      },
      HOST_TIMERS,
      (callback) => setTimeout(callback, 0),
    );
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const bench = this;
    this.host = {
      timers: HOST_TIMERS,
      frameSlot: () => session.frameSlot(),
      startFrame: () => session.startFrame({ inRun: true }), // a run: memory checks beside
      workload: () => {
        const size = session.engine?.sourceSize;
        if (!size) return null;
        return { stages: bench.chain.stages.filter((s) => s.enabled), pixels: size[0] * size[1] };
      },
      framesInFlight: () => bench.inFlight,
      withMode: async (strategy, work) => {
        const was = bench.#mode;
        bench.#setMode(strategy);
        try {
          return await work();
        } finally {
          bench.#setMode(was);
        }
      },
      scheduler: (strategy) => bench.#placements.placer(strategy),
      device: () => ({
        generation: bench.generation,
        gpu: session.gpu,
        ready: session.device.status === 'ready',
      }),
      runner: this.runner,
      env,
      quiet: async () => {
        // The scene is held while its own rows run and stopped after them: nothing else renders.
        const live = bench.scene.state.active;
        if (live) bench.scene.hold();
        return () => (live ? bench.scene.resume() : undefined);
      },
    };
  }

  #setMode(strategy: Strategy): void {
    this.#mode = strategy;
    if (this.session.engine) this.session.engine.placer = this.#placements.forMode(strategy);
  }

  async start(): Promise<void> {
    await this.session.start();
    await this.#monitor?.check();
  }

  setInFlight(n: number): void {
    this.inFlight = n;
    this.#placements.inFlightChanged();
  }

  /** Auto's placement log and each strategy's off-plan frames and re-plan times, now. */
  strategyStates() {
    return Object.fromEntries(
      STRATEGIES.map((s) => {
        const scheduler = this.#placements.placer(s).scheduler;
        return [
          s,
          {
            offPlan: { ...scheduler.offPlan },
            verified: { ...scheduler.verified },
            replanTimes: [...scheduler.replanTimes],
            changes: scheduler.changes,
          },
        ];
      }),
    );
  }

  dispose(): void {
    this.#monitor?.stop();
    this.scene.stop();
    this.session.dispose();
    this.#cpu.destroy();
  }
}

/** The frames of an image sequence as a Compare feed (restart: back to its first frame). */
function sequenceFeed(
  bench: NodeBench,
  name: string,
  frame: (i: number) => Parameters<Engine['setSource']>[0],
): FrameFeed {
  let i = 0;
  const show = (n: number) => {
    bench.index = n;
    bench.session.engine?.setSource(frame(n));
  };
  return {
    name,
    restart: async () => {
      i = 0;
    },
    next: async () => show(i++),
    close: async () => {},
  };
}

export async function benchScenarios(
  options: ScenarioBenchOptions,
  say: (line: string) => void,
): Promise<{ file: string; results: Record<string, unknown>[]; markdown: string }> {
  const { size } = options;
  const backend = await chooseBackend(options.adapter);
  const lut = packLut(sampleCube(17, tealOrange, 'Teal & orange'), 'teal-orange.cube');
  const bench = new NodeBench(options, backend === 'opengles', dawnGpu(backend), [lut]);
  const measured: (MeasuredRun & { id: ScenarioId })[] = [];
  const status: CompareStatus = { running: null, progress: null, etaS: null };
  const signal = new AbortController().signal;
  const runs = [
    ...options.inFlight.flatMap((inFlight) =>
      (['video-edit', 'preview-3d'] as const).map((id) => ({ id, inFlight })),
    ),
    { id: 'ai-batch' as const, inFlight: options.inFlight.at(-1)! },
  ].filter((r) => options.only.includes(r.id));
  try {
    await bench.start();
    const adapter = bench.session.gpu!.adapter;
    for (const { id, inFlight } of runs) {
      bench.setInFlight(inFlight);
      const info = SCENARIOS.find((s) => s.id === id)!;
      const repeats: MeasuredRun['repeats'] = [];
      for (let repeat = 1; repeat <= options.repeats; repeat++) {
        const started = performance.now();
        const before = bench.strategyStates();
        const run = { host: bench.host, order: orderOf(repeat), status };
        let row: CompareRow;
        if (id === 'ai-batch') {
          const items = await batchItems(size.batchImage, size.batchItems);
          const what = BATCH_EFFECTS['super-resolution-x2'].label;
          ({ row } = await measureBatch(
            run,
            `${info.name}: ${items.length} sample images, ${what}`,
            items,
            'super-resolution-x2',
            signal,
          ));
        } else {
          let feed: FrameFeed;
          if (id === 'video-edit') {
            const [w, h] = size.video;
            bench.chain = chainFromStages(videoEditStages({ id: lut.id, name: lut.name }));
            feed = sequenceFeed(bench, `image sequence, ${w}×${h}`, await clipFrames(w, h));
          } else {
            const [w, h] = size.scene;
            bench.chain = chainFromStages(preview3dStages());
            bench.scene.start(w, h);
            bench.scene.hold();
            let i = 0;
            feed = {
              name: `3D scene, ${w}×${h}`,
              restart: async () => {
                i = 0;
              },
              next: async () => bench.scene.draw(i++ / 30),
              close: async () => bench.scene.stop(),
            };
          }
          const label = `${info.name} (${feed.name}, ${inFlight} frame${inFlight > 1 ? 's' : ''} in flight)`;
          try {
            row = await measureFrames(run, label, feed, signal, size);
          } finally {
            await feed.close();
          }
        }
        const after = bench.strategyStates();
        repeats.push({
          ...row,
          autoChanges: after.auto.changes.slice(-30),
          offPlan: Object.fromEntries(
            STRATEGIES.map((s) => [s, countsSince(before[s].offPlan, after[s].offPlan)]),
          ),
          verified: Object.fromEntries(
            STRATEGIES.map((s) => [s, countsSince(before[s].verified, after[s].verified)]),
          ),
          replanMs: Object.fromEntries(
            STRATEGIES.map((s) => [s, after[s].replanTimes.slice(before[s].replanTimes.length)]),
          ),
          longTasks: null,
        });
        say(
          `${row.scenario} (repeat ${repeat}): ${((performance.now() - started) / 1000).toFixed(0)} s`,
        );
      }
      measured.push({ id, inFlight, repeats });
    }
    const results = measured.flatMap((run) => resultsOf(run));
    const predictions = predictionsOf(results);
    if (predictions) results.push(predictions);
    const date = new Date().toISOString();
    const environment = {
      runtime: 'node-dawn',
      adapter: { backend, ...adapter },
      endpoint: options.endpoint ?? null,
      ...machine(),
      settings: {
        small: options.small,
        size,
        inFlight: options.inFlight,
        repeats: options.repeats,
        orders: Array.from({ length: options.repeats }, (_, r) => orderOf(r + 1)),
      },
    };
    const file =
      options.out ??
      join(ROOT, `bench-results/scenarios-node${options.small ? '-small' : ''}.json`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      `${JSON.stringify({ benchmark: 'scenarios', date, environment, results }, null, 2)}\n`,
    );
    const markdown = toMarkdown({
      machine: `Node ${process.version}, Dawn ${backend} (${adapter.description || adapter.vendor}), ${os.cpus().length} CPUs`,
      date,
      // Each cell the median of its repeats, as npm run bench prints it.
      rows: measured.map(({ repeats }) => ({
        ...repeats[0],
        cells: Object.fromEntries(
          STRATEGIES.map((s) => {
            const rates = repeats.map((r) => r.cells[s].rate).filter((v) => v !== null);
            const cell = repeats.find((r) => r.cells[s].rate !== null)?.cells[s];
            return [
              s,
              { ...(cell ?? repeats[0].cells[s]), rate: rates.length ? median(rates) : null },
            ];
          }),
        ) as CompareRow['cells'],
      })),
    });
    return { file, results, markdown };
  } finally {
    bench.dispose();
  }
}
