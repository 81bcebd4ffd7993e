// `triad apply`: image files through a chain, on the app's own engine, scheduler and AI runner —
// GPU stages on Dawn, CPU stages on worker threads, AI stages on onnxruntime-node or an endpoint.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Strategy } from '../core/strategies';
import { CpuPool } from '../cpu';
import type { Chain } from '../effects/chain';
import { findEntry } from '../effects/catalogue';
import type { EffectEnv } from '../effects/effect';
import { packLut, type Lut } from '../effects/lut/lut';
import { parseCube } from '../effects/lut/cube';
import type { LutRef } from '../effects/params';
import { Engine, type FrameStats } from '../engine';
import { nodeCpuWorker } from '../headless/cpu-worker';
import { nodeRuntimes } from '../headless/node-runtimes';
import { MlEffectRunner } from '../ml/effects/runner';
import { EndpointMonitor } from '../ml/remote/monitor';
import { Placements } from '../session/placement';
import { readChainArgument } from './chain-arg';
import { BatchGpu } from './batch-gpu';
import { watchEndpoint } from './host';
import type { AdapterChoice } from './gpu';
import type { GpuContext } from '../gpu/device';
import { decodeImage, listInputs, outputPath, writeImage, type OutputFormat } from './images';

export interface ApplyOptions {
  chain: string;
  inputs: string[];
  out: string;
  strategy: Strategy;
  framesInFlight: number;
  format: OutputFormat | 'same';
  overwrite: boolean;
  adapter: AdapterChoice;
  workers: number;
  luts: string[];
  endpoint?: string;
  token?: string;
}

export type FileStatus = 'written' | 'failed' | 'skipped';

export interface FileResult {
  input: string;
  status: FileStatus;
  output?: string;
  error?: string;
  /** From reading the file to its output written. */
  ms?: number;
  /** Where each enabled stage ran, in order (an ML target for AI stages). */
  targets?: string[];
}

/** What `--json` prints, and what the progress display is told. */
export interface ApplySummary {
  ok: boolean;
  interrupted: boolean;
  written: number;
  failed: number;
  skipped: number;
  strategy: Strategy;
  framesInFlight: number;
  adapter: string;
  /** GPU devices lost during the batch (each replaced; its images rendered again). */
  deviceLosses: number;
  seconds: number;
  imagesPerSecond: number;
  /** Per stage (effect id, in chain order): how many images ran it on each target. */
  placements: { stage: string; targets: Record<string, number> }[];
  warnings: string[];
  files: FileResult[];
}

/** What `apply` tells the person running it while it works. */
export interface ApplyReporter {
  start(total: number): void;
  file(result: FileResult, done: number): void;
  /** Model loading and other long work (null: done). */
  status(label: string | null): void;
  warn(message: string): void;
  /** The device the batch starts on (a loss is a warning). */
  gpu?(gpu: GpuContext, name: string): void;
}

/** A problem with the command itself (bad chain, no inputs, no GPU): nothing was processed. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The LUTs given with `--lut`, by content id (chains name LUTs by it). */
async function loadLuts(paths: readonly string[]): Promise<Map<string, Lut>> {
  const luts = new Map<string, Lut>();
  for (const path of paths) {
    const text = await readFile(path, 'utf8').catch(() => {
      throw new UsageError(`--lut ${path}: no such file`);
    });
    try {
      const lut = packLut(parseCube(text), path.split(/[\\/]/).pop()!);
      luts.set(lut.id, lut);
    } catch (error) {
      throw new UsageError(`--lut ${path}: not a .cube LUT (${(error as Error).message})`);
    }
  }
  return luts;
}

/**
 * What a chain needs that is not in it: a LUT stage's table (an error unless given with
 * `--lut`); a picture for Background replace (the link never carries one: a warning).
 */
function checkReferences(chain: Chain, luts: Map<string, Lut>, warn: (m: string) => void): void {
  for (const stage of chain.stages.filter((s) => s.enabled)) {
    const entry = findEntry(stage.effect);
    for (const [name, param] of Object.entries(entry?.params ?? {})) {
      const ref = stage.params[name] as LutRef | null | undefined;
      if (!ref) continue;
      if (param.kind === 'lut' && !luts.has(ref.id))
        throw new UsageError(
          `${entry!.name} uses the LUT "${ref.name}", which the chain does not carry: give it with --lut ${ref.name}`,
        );
      if (param.kind === 'image')
        warn(
          `${entry!.name}: its picture "${ref.name}" is not part of the chain; the stage runs without it`,
        );
    }
  }
}

/** Runs the batch. Resolves with the summary; throws `UsageError` before any file is tried. */
export async function applyChain(
  options: ApplyOptions,
  report: ApplyReporter,
  signal: AbortSignal,
): Promise<ApplySummary> {
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    report.warn(message);
  };
  let chain: Chain;
  try {
    const read = readChainArgument(options.chain);
    chain = read.chain;
    for (const problem of read.problems) warn(`chain: ${problem}`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const luts = await loadLuts(options.luts);
  checkReferences(chain, luts, warn);
  const inputs = await listInputs(options.inputs);
  if (!inputs.some((i) => !i.skip))
    throw new UsageError(
      `no input images${inputs.map((i) => `; ${i.path}: ${i.skip}`).join('')} (give image files or folders)`,
    );
  const out = resolve(options.out);
  const existing = await stat(out).catch(() => null);
  if (existing && !existing.isDirectory())
    throw new UsageError(`--out ${options.out} is a file, not a folder`);
  await mkdir(out, { recursive: true });

  let batch: BatchGpu | null = null;
  let cpu: CpuPool | null = null;
  let monitor: EndpointMonitor | null = null;
  const t0 = performance.now();
  const results: FileResult[] = [];
  try {
    cpu = new CpuPool(Math.max(1, options.workers), { create: nodeCpuWorker });
    const ml = new MlEffectRunner(nodeRuntimes(), (p) => report.status(p ? p.label : null));
    const endpoint = watchEndpoint(ml, options.endpoint, options.token);
    monitor = endpoint.monitor;
    if (monitor) {
      const health = await monitor.check();
      if (health.state !== 'ready')
        warn(
          `the endpoint ${options.endpoint} is ${health.state} (${health.detail}); AI stages run on onnxruntime-node until it is ready`,
        );
    }
    const local = endpoint.local;
    const env: EffectEnv = { lut: (id) => luts.get(id) };
    const inFlight = Math.max(1, options.framesInFlight);
    const placements = new Placements(
      () => performance.now(),
      () => ml.targets,
      () => inFlight,
      local,
    );
    const pool = cpu;
    batch = await BatchGpu.open(
      options.adapter,
      ml,
      (gpu) => {
        const engine = new Engine(gpu, env, pool);
        engine.ml = ml;
        engine.placer = placements.forMode(options.strategy);
        engine.inFlightLimit = () => inFlight;
        return engine;
      },
      warn,
    ).catch((error: Error) => {
      throw new UsageError(`no GPU adapter: ${error.message}`);
    });
    const device = batch;
    report.gpu?.(device.gpu, device.name);
    report.start(inputs.length);
    const claimed = new Set<string>();
    const one = async (index: number): Promise<FileResult> => {
      const { path, skip } = inputs[index];
      if (skip) return { input: path, status: 'skipped', error: skip };
      const target = outputPath(path, out, options.format);
      if (resolve(path) === target)
        return {
          input: path,
          status: 'skipped',
          error: 'its output would overwrite the input itself',
        };
      if (claimed.has(target))
        return {
          input: path,
          status: 'skipped',
          error: `another input of this batch writes ${target}`,
        };
      claimed.add(target);
      if (!options.overwrite && (await stat(target).catch(() => null)))
        return {
          input: path,
          status: 'skipped',
          error: `${target} exists (--overwrite replaces it)`,
        };
      const started = performance.now();
      try {
        const image = await decodeImage(
          await readFile(path),
          device.gpu.device.limits.maxTextureDimension2D,
        );
        const ran: FrameStats['ran'] = [];
        const result = await device.render(chain, image, ran);
        const targets = ran.map((r) => r.target as string);
        const broken = ran.find((r) => r.skipped);
        if (broken) {
          const name = findEntry(
            chain.stages.find((s) => s.id === broken.stage)?.effect ?? '',
          )?.name;
          throw new Error(
            `${name ?? 'a stage'} could not run (${broken.reason ?? 'no target'}), so nothing was written`,
          );
        }
        await writeImage(result, target);
        return {
          input: path,
          status: 'written',
          output: target,
          ms: performance.now() - started,
          targets,
        };
      } catch (error) {
        return { input: path, status: 'failed', error: (error as Error).message };
      }
    };

    let next = 0;
    const lane = async () => {
      while (!signal.aborted && next < inputs.length) {
        const index = next++;
        const result = await one(index);
        results[index] = result;
        report.file(result, results.filter(Boolean).length);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
  } finally {
    monitor?.stop();
    batch?.close();
    cpu?.destroy();
  }

  const files = results.filter(Boolean);
  const count = (s: FileStatus) => files.filter((f) => f.status === s).length;
  const seconds = (performance.now() - t0) / 1000;
  const enabled = chain.stages.filter((s) => s.enabled);
  return {
    ok: !signal.aborted && count('written') === inputs.length,
    interrupted: signal.aborted && files.length < inputs.length,
    written: count('written'),
    failed: count('failed'),
    skipped: count('skipped'),
    strategy: options.strategy,
    framesInFlight: options.framesInFlight,
    adapter: batch?.name ?? '',
    deviceLosses: batch?.losses ?? 0,
    seconds,
    imagesPerSecond: count('written') / seconds,
    placements: enabled.map((stage, i) => {
      const targets: Record<string, number> = {};
      for (const f of files)
        if (f.targets?.[i]) targets[f.targets[i]] = (targets[f.targets[i]] ?? 0) + 1;
      return { stage: stage.effect, targets };
    }),
    warnings,
    files,
  };
}

export const DEFAULT_WORKERS = availableParallelism();
