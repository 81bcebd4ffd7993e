// CLI: `npx tsx server/src/main.ts [flags]`. Prints one line once it is listening:
//   Triad endpoint listening on http://127.0.0.1:8000 (3 models ready)
// SIGTERM / SIGINT: stop accepting, turn not ready, drain in-flight requests, exit 0.
import { CliError, USAGE, parseCli } from './cli.ts';
import { startServer, type ServerOptions } from './server.ts';

function options(): ServerOptions {
  try {
    const parsed = parseCli(process.argv.slice(2), process.env);
    if (parsed === 'help') {
      console.log(USAGE);
      process.exit(0);
    }
    return parsed;
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    console.error(`error: ${e.message}\n${USAGE}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const opts = options();
  const server = await startServer(opts);
  for (const m of server.models.values())
    if (m.state === 'UNAVAILABLE') console.error(`model '${m.name}' is not ready: ${m.reason}`);
  if (opts.provider !== 'cpu' && server.readyModels === 0 && server.models.size > 0) {
    console.error(`error: no model could load with --provider ${opts.provider}`);
    await server.close();
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // a second signal: give up draining
    stopping = true;
    console.log(`${signal}: draining in-flight requests`);
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Announced once a signal drains: a supervisor may send one the moment it reads this line.
  const n = server.readyModels;
  console.log(`Triad endpoint listening on ${server.url} (${n} model${n === 1 ? '' : 's'} ready)`);
}

main().catch((e: unknown) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
