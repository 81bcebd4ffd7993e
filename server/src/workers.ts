// Starting a module beside the caller (.ts under tsx, else its .js) as a worker thread or as a
// child process with an IPC channel.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `file` as it runs here: its .js sibling when this server was compiled to JavaScript. */
function runnable(file: URL): URL {
  return file.href.endsWith('.ts') && !import.meta.url.endsWith('.ts')
    ? new URL(file.href.replace(/\.ts$/, '.js'))
    : file;
}

/**
 * A worker running `file` (a URL resolved from the caller's module, its .ts name). Worker
 * threads do not inherit tsx's loader hooks on Node 20, so a .ts worker starts from a one-line
 * bootstrap that registers tsx first.
 */
export function spawnWorker(file: URL, workerData: unknown): Worker {
  const url = runnable(file);
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const api = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const code = `import(${JSON.stringify(pathToFileURL(api).href)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

/**
 * A child process running `file` with `data` as JSON in its first argument, messages through
 * Node's IPC channel with the structured-clone ('advanced') serialization, so typed arrays go
 * across (copied). Its output goes to the server's.
 */
export function spawnChild(file: URL, data: unknown): ChildProcess {
  const url = runnable(file);
  return fork(fileURLToPath(url), [JSON.stringify(data)], {
    execArgv: url.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
