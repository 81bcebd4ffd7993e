// Starting a worker thread from a module beside the caller, .ts (under tsx) or .js.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker running `file` (a URL resolved from the caller's module, its .ts name). Worker
 * threads do not inherit tsx's loader hooks on Node 20, so a .ts worker starts from a one-line
 * bootstrap that registers tsx first.
 */
export function spawnWorker(file: URL, workerData: unknown): Worker {
  const url =
    file.href.endsWith('.ts') && !import.meta.url.endsWith('.ts')
      ? new URL(file.href.replace(/\.ts$/, '.js'))
      : file;
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const api = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const code = `import(${JSON.stringify(pathToFileURL(api).href)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}
