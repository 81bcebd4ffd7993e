// The `triad` command: the app's chains, scheduler and AI runner without a browser. Loaded by
// bin/triad.mjs through Vite's module loader (the engine imports its WGSL as `?raw`).
export type { Io } from './io';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Strategy } from '../core/strategies';
import { MAX_IN_FLIGHT } from '../scheduler';
import { DEFAULT_WORKERS, UsageError, applyChain, type ApplyOptions } from './apply';
import { ADAPTER_CHOICES } from './gpu';
import { DEFAULT_EFFECTS_OUT, benchEffects } from './bench';
import { benchScenarios } from './scenarios';
import { FULL_SIZE, SCENARIOS, SMALL_SIZE, type ScenarioSize } from '../perf/scenarios';
import { FORMATS, removePartials } from './images';
import { formatInfo, gatherInfo } from './info';
import type { Io } from './io';
import { progressReporter } from './progress';

/** Exit codes: what a script running the command can tell apart. */
export const EXIT = { ok: 0, someFailed: 1, usage: 2, interrupted: 130 } as const;

/** The command-line names of the strategies (`gpu`, `gpu+accel`, `cpu+gpu+accel`, `auto`). */
const STRATEGY_NAMES: Record<string, Strategy> = {
  gpu: 'gpu-only',
  'gpu+accel': 'gpu+accelerator',
  'cpu+gpu+accel': 'cpu+gpu+accelerator',
  auto: 'auto',
};

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return n;
  };
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('triad')
    .description("Triad's chains without a browser: images through the app's engine on Dawn")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(triad --help lists the commands)');

  program
    .command('apply')
    .description('run image files through a chain and write the results')
    .requiredOption(
      '--chain <link|token|file>',
      "the app's Copy link, its token, or an exported chain file",
    )
    .requiredOption('--out <dir>', 'folder for the results (made if missing)')
    .argument('<inputs...>', 'image files or folders (PNG, JPEG, WebP, AVIF)')
    .addOption(
      new Option('--strategy <name>', 'where stages may run')
        .choices(Object.keys(STRATEGY_NAMES))
        .default('auto'),
    )
    .option(
      '--frames-in-flight <n>',
      'images in the pipeline at once',
      integer(1, MAX_IN_FLIGHT),
      2,
    )
    .addOption(
      new Option('--format <format>', 'output format (same: as the input)')
        .choices(['same', ...new Set(Object.values(FORMATS))])
        .default('same'),
    )
    .option('--overwrite', 'replace results that already exist', false)
    .addOption(
      new Option('--adapter <backend>', 'GPU backend').choices(ADAPTER_CHOICES).default('auto'),
    )
    .option('--workers <n>', 'CPU worker threads', integer(1, 64), DEFAULT_WORKERS)
    .option(
      '--lut <file.cube>',
      'a LUT the chain uses (a link names it, it does not carry it); repeat for more',
      (file: string, files: string[]) => [...files, file],
      [] as string[],
    )
    .option(
      '--endpoint <url>',
      'an inference endpoint (Open Inference Protocol v2: ours, Triton, KServe)',
    )
    .option('--token <token>', "the endpoint's bearer token")
    .option('--json', 'print a machine-readable summary on stdout', false)
    .action(async (inputs: string[], opts) => {
      const options: ApplyOptions = {
        chain: opts.chain,
        inputs,
        out: opts.out,
        strategy: STRATEGY_NAMES[opts.strategy],
        framesInFlight: opts.framesInFlight,
        format: opts.format,
        overwrite: opts.overwrite,
        adapter: opts.adapter,
        workers: opts.workers,
        luts: opts.lut,
        endpoint: opts.endpoint,
        token: opts.token,
      };
      const reporter = progressReporter(io, opts.json);
      try {
        const summary = await applyChain(options, reporter, io.signal);
        reporter.done(summary);
        if (opts.json) io.out(`${JSON.stringify(summary, null, 2)}\n`);
        code = summary.interrupted ? EXIT.interrupted : summary.ok ? EXIT.ok : EXIT.someFailed;
      } catch (error) {
        reporter.done(null);
        if (!(error instanceof UsageError)) throw error;
        io.err(`triad apply: ${error.message}\n`);
        if (opts.json) io.out(`${JSON.stringify({ ok: false, error: error.message })}\n`);
        code = EXIT.usage;
      } finally {
        removePartials();
      }
    });

  program
    .command('bench')
    .description(
      'the three scenarios under the four strategies (npm run bench without a browser), or --effects',
    )
    .option('--effects', 'instead: every effect alone and a six-effect chain at 1920×1080', false)
    .option('--small', 'tiny frames, few of them (what CI runs)', false)
    .option('--only <ids>', 'scenarios to run: video-edit, preview-3d, ai-batch (comma-separated)')
    .option('--in-flight <list>', 'frames in flight of the frame scenarios (a row each)', '1,2')
    .option('--repeats <n>', 'times each row is measured', integer(1, 20))
    .option('--endpoint <url>', 'an inference endpoint for the accelerator strategies')
    .option('--token <token>', "the endpoint's bearer token")
    .option('--workers <n>', 'CPU worker threads', integer(1, 64), DEFAULT_WORKERS)
    .addOption(
      new Option('--adapter <backend>', 'GPU backend').choices(ADAPTER_CHOICES).default('auto'),
    )
    .option('--video <WxH>', "the video edit's frame size (default: the app's, 1920x1080)")
    .option('--scene <WxH>', "the 3D scene's render size (default 960x540)")
    .option('--batch <px>', "the AI batch images' longer side", integer(16, 4096))
    .option('--batch-items <n>', 'images the AI batch times', integer(1, 10_000))
    .option(
      '--calibration <n>',
      'warm-up frames allowed while the scheduler still measures',
      integer(0, 1000),
    )
    .option('--frames <n>', 'timed frames per strategy (--effects: per case)', integer(1, 10_000))
    .option('--warmup <n>', 'frames before timing', integer(0, 1000))
    .option('--cases <regex>', '--effects: only the cases whose name matches')
    .option('--out <file>', 'where the JSON goes')
    .action(async (opts) => {
      const say = (line: string) => io.err(`${line}\n`);
      if (opts.effects) {
        const { file, results } = await benchEffects(
          {
            adapter: opts.adapter,
            frames: opts.frames ?? 30,
            warmup: opts.warmup ?? 3,
            only: new RegExp(opts.cases ?? '.'),
            out: opts.out ?? DEFAULT_EFFECTS_OUT,
          },
          say,
        );
        const rows = results.map(
          (r) =>
            `| ${r.case} | ${(r.median as number).toFixed(1)} | ${(r.p95 as number).toFixed(1)} | ${r.n} |`,
        );
        io.out(
          `${['| case | median ms | p95 ms | n |', '| --- | ---: | ---: | ---: |', ...rows].join('\n')}\nwrote ${file}\n`,
        );
        return;
      }
      const ids = (opts.only ?? 'video-edit,preview-3d,ai-batch').split(',');
      const known = SCENARIOS.map((s) => s.id as string);
      const unknown = ids.filter((id: string) => !known.includes(id));
      const inFlight = String(opts.inFlight).split(',').map(Number);
      if (
        unknown.length ||
        inFlight.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_IN_FLIGHT)
      ) {
        io.err(
          `triad bench: ${unknown.length ? `unknown scenario ${unknown.join(', ')} (${known.join(', ')})` : `--in-flight takes whole numbers from 1 to ${MAX_IN_FLIGHT}`}\n`,
        );
        code = EXIT.usage;
        return;
      }
      const dims = (v: string | undefined, d: [number, number]): [number, number] => {
        const m = v ? /^(\d+)x(\d+)$/.exec(v) : null;
        return m ? [Number(m[1]), Number(m[2])] : d;
      };
      const base = opts.small ? SMALL_SIZE : FULL_SIZE;
      const size: ScenarioSize = {
        video: dims(opts.video, base.video),
        scene: dims(opts.scene, base.scene),
        batchImage: opts.batch ?? base.batchImage,
        batchItems: opts.batchItems ?? base.batchItems,
        frames: opts.frames ?? base.frames,
        warmup: opts.warmup ?? base.warmup,
        calibrationCap: opts.calibration ?? base.calibrationCap,
      };
      const { file, results, markdown } = await benchScenarios(
        {
          small: opts.small,
          size,
          only: ids,
          inFlight,
          repeats: opts.repeats ?? (opts.small ? 1 : 2),
          adapter: opts.adapter,
          workers: opts.workers,
          endpoint: opts.endpoint,
          token: opts.token,
          out: opts.out,
        },
        say,
      );
      const missing = results.filter((r) => r.strategy && r.rate === null);
      io.out(`${markdown}\nwrote ${file}\n`);
      for (const r of missing) io.err(`not measured: ${r.case}: ${r.error}\n`);
    });

  program
    .command('info')
    .description('the GPU adapters and ML targets this machine offers')
    .option('--endpoint <url>', 'also check this inference endpoint')
    .option('--token <token>', "the endpoint's bearer token")
    .option('--json', 'print it as JSON', false)
    .action(async (opts) => {
      const info = await gatherInfo(opts.endpoint, opts.token);
      io.out(opts.json ? `${JSON.stringify(info, null, 2)}\n` : `${formatInfo(info)}\n`);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    const exit = error as { exitCode?: number; code?: string };
    if (exit.code === 'commander.helpDisplayed' || exit.code === 'commander.version')
      return EXIT.ok;
    if (typeof exit.exitCode === 'number') return exit.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw error;
  }
  return code;
}
