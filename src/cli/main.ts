// The `triad` command: the app's chains, scheduler and AI runner without a browser. Loaded by
// bin/triad.mjs through Vite's module loader (the engine imports its WGSL as `?raw`).
export type { Io } from './io';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Strategy } from '../core/strategies';
import { MAX_IN_FLIGHT } from '../scheduler';
import { DEFAULT_WORKERS, UsageError, applyChain, type ApplyOptions } from './apply';
import { ADAPTER_CHOICES } from './gpu';
import { DEFAULT_EFFECTS_OUT, benchEffects } from './bench';
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
      '--lut <file.cube...>',
      "the chain's LUTs (a link names them, it does not carry them)",
      [],
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
    .description('time the effects on this GPU (bench:effects without a browser)')
    .option('--effects', 'every effect alone and a six-effect chain at 1920×1080', false)
    .addOption(
      new Option('--adapter <backend>', 'GPU backend').choices(ADAPTER_CHOICES).default('auto'),
    )
    .option('--frames <n>', 'timed frames per case', integer(1, 10_000), 30)
    .option('--warmup <n>', 'frames before timing', integer(0, 1000), 3)
    .option('--cases <regex>', 'only the cases whose name matches')
    .option('--out <file>', 'where the JSON goes', DEFAULT_EFFECTS_OUT)
    .action(async (opts) => {
      if (!opts.effects) {
        io.err(
          'triad bench: only --effects runs without a browser so far; the three scenarios run in the browser (npm run bench).\n',
        );
        code = EXIT.usage;
        return;
      }
      const { file, results } = await benchEffects(
        {
          adapter: opts.adapter,
          frames: opts.frames,
          warmup: opts.warmup,
          only: new RegExp(opts.cases ?? '.'),
          out: opts.out,
        },
        (line) => io.err(`${line}\n`),
      );
      io.out(
        `${['| case | median ms | p95 ms | n |', '| --- | ---: | ---: | ---: |', ...results.map((r) => `| ${r.case} | ${(r.median as number).toFixed(1)} | ${(r.p95 as number).toFixed(1)} | ${r.n} |`)].join('\n')}\nwrote ${file}\n`,
      );
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
