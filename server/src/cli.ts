// Command-line flags for main.ts, parsed into ServerOptions. Throws CliError on bad input.
import { parseArgs } from 'node:util';
import { PROVIDERS, type Provider } from './repository.ts';
import type { ServerOptions } from './server.ts';

export class CliError extends Error {}

export const USAGE = `Usage: tsx server/src/main.ts [options]
  --host <addr>         bind address (default 127.0.0.1)
  --port <n>            port, 0 for any free one (default 8000)
  --repository <dir>    model repository (default server/model-repository)
  --token <secret>      require "Authorization: Bearer <secret>" (or env TRIAD_ENDPOINT_TOKEN)
  --insecure            allow a non-loopback --host without a token
  --allowed-hosts <a,b> names the server answers to in the Host header, '*' for any (default
                        the loopback names and --host; any with --token or --insecure)
  --cors <a,b>          allowed browser origins, '*' for any (default the app's own)
  --max-body <bytes>    request body limit; suffixes k, m (MiB) (default 64m)
  --max-elements <n>    input elements per request, for models whose config sets no
                        cost.max_input_elements (default 16777216)
  --max-json-elements <n> elements one output may have in a JSON answer (default 1048576)
  --rate-limit <n>      requests per second per client address, 0 = off (default 1000)
  --timeout <ms>        body receipt (408) and queue + inference (504) limit (default 30000)
  --provider <cpu|cuda> onnxruntime execution provider (default cpu)
  --log-level <level>   structured JSON log on stdout: fatal, error, warn, info (every
                        request), debug, trace or silent (default warn)`;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function fail(message: string): never {
  throw new CliError(message);
}

function count(flag: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    fail(`--${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

function bytes(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)([km]?)$/i.exec(value);
  if (!m) fail(`--max-body must be a byte count like 1048576, 512k or 64m, got '${value}'`);
  const scale = { '': 1, k: 1024, m: 1024 * 1024 }[m[2].toLowerCase() as '' | 'k' | 'm'];
  return Number(m[1]) * scale;
}

/** A comma-separated flag's items. */
function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Options from argv, or 'help' for --help. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): ServerOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        repository: { type: 'string' },
        token: { type: 'string' },
        cors: { type: 'string' },
        'allowed-hosts': { type: 'string' },
        insecure: { type: 'boolean' },
        'max-body': { type: 'string' },
        'rate-limit': { type: 'string' },
        'max-elements': { type: 'string' },
        'max-json-elements': { type: 'string' },
        timeout: { type: 'string' },
        provider: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) return 'help';
  const provider = values.provider ?? 'cpu';
  if (!(PROVIDERS as readonly string[]).includes(provider))
    fail(`--provider must be one of ${PROVIDERS.join(', ')}, got '${provider}'`);
  const logLevel = values['log-level'] ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  const token = values.token ?? env.TRIAD_ENDPOINT_TOKEN;
  if (token !== undefined && token.trim() === '') fail('--token must not be empty');
  const port = count('port', values.port);
  if (port !== undefined && port > 65535) fail('--port must be at most 65535');
  return {
    host: values.host,
    port,
    repository: values.repository,
    token,
    cors: list(values.cors),
    allowedHosts: list(values['allowed-hosts'])?.map((h) => h.toLowerCase()),
    insecure: values.insecure,
    maxBodyBytes: bytes(values['max-body']),
    rateLimit: count('rate-limit', values['rate-limit']),
    maxInputElements: count('max-elements', values['max-elements'], 1),
    maxJsonElements: count('max-json-elements', values['max-json-elements'], 1),
    timeoutMs: count('timeout', values.timeout, 1),
    provider: provider as Provider,
    logLevel,
  };
}
