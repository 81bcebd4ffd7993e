// npm start (after the build): serves the app (vite preview, http://localhost:4173) beside the local
// inference endpoint (http://127.0.0.1:8000). Ctrl+C stops both; if one stops, so does the other.
// TRIAD_ENDPOINT=off serves the app alone; flags after -- go to the endpoint.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const bin = (name) => `${ROOT}node_modules/.bin/${name}`;
const children = new Set();
let stopping = false;

function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  // The endpoint drains in-flight requests before it exits; do not wait forever.
  setTimeout(() => process.exit(code), 5000).unref();
}

function run(name, command, args, env = process.env) {
  const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env });
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping)
      console.error(`${name} stopped (${signal ?? `exit ${code}`}); stopping the rest`);
    stop(code ?? 1);
    if (children.size === 0) process.exit(code ?? 0);
  });
  return child;
}

if (process.env.TRIAD_ENDPOINT !== 'off') {
  // node --import tsx runs the server in this child itself (the tsx launcher would add a grandchild).
  run(
    'the endpoint',
    process.execPath,
    ['--import', 'tsx', 'server/src/main.ts', ...process.argv.slice(2)],
    {
      // Two glibc malloc arenas, not one per onnxruntime thread: less memory kept after large
      // requests (docs/DEPLOY.md, npm run soak:endpoint).
      ...process.env,
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
    },
  );
}
run('the app server', bin('vite'), ['preview', '--strictPort']);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(0));
