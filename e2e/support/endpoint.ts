import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A real endpoint server process (server/src/main.ts) on loopback, for browser tests. */
export interface Endpoint {
  url: string;
  port: number;
  process: ChildProcess;
  /** Kills it without a goodbye (SIGKILL): in-flight requests break. */
  kill(): Promise<void>;
}

export async function startEndpoint(port = 0, extraArgs: string[] = []): Promise<Endpoint> {
  // node --import tsx, not the tsx launcher: the launcher runs the server in a child process that
  // a SIGKILL of the launcher would leave running.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/src/main.ts',
      '--port',
      String(port),
      '--cors',
      'http://localhost:4183,http://127.0.0.1:4183',
      ...extraArgs,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the endpoint did not start:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the endpoint exited (${code}):\n${output}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    process: child,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
