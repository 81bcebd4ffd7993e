// Spawns the real CLI (`node --import tsx server/src/main.ts --port 0 …`) and waits for its
// "listening" line. One server per test file: spawn in beforeAll, stop in afterAll.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface SpawnedServer {
  url: string;
  readyModels: number;
  process: ChildProcess;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` and resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const LISTENING = /Triad endpoint listening on (http:\/\/\S+) \((\d+) models? ready\)/;

export function spawnServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<SpawnedServer> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/src/main.ts', '--port', '0', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = LISTENING.exec(output);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1],
        readyModels: Number(m[2]),
        process: child,
        output: () => output,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}
