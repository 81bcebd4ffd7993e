// Holds the production build (dist/) to carrying no test code (the test and benchmark API in
// src/testing/ is bundled only by `vite build --mode testing`), and its CPU worker to carrying no
// GPU code. Prints the bundle's sizes.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_API_MARKERS } from './test-api-markers.mjs';

// The folder to check (default dist/; e.g. `node scripts/check-dist.mjs dist-test` must fail).
const DIST = fileURLToPath(new URL(`../${process.argv[2] ?? 'dist'}/`, import.meta.url));

/** Every file under `dir`, with its path relative to DIST. */
function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path.slice(DIST.length)];
  });
}

const code = files(DIST).filter((f) => /\.(js|mjs|html)$/.test(f));
if (code.length === 0) {
  console.error(`check-dist: ${DIST} holds no built code: run \`vite build\` first`);
  process.exit(1);
}
const leaks = code.flatMap((file) => {
  const text = readFileSync(join(DIST, file), 'utf8');
  return TEST_API_MARKERS.filter((m) => text.includes(m)).map((m) => `${file}: ${m}`);
});
if (leaks.length > 0) {
  console.error(`check-dist: the build in ${DIST} carries test code:\n  ${leaks.join('\n  ')}`);
  process.exit(1);
}
// The CPU worker runs CPU kernels only: each effect's GPU side lives apart (src/effects/gpu/).
const worker = code.find((f) => /^assets\/cpu\.worker-.*\.js$/.test(f));
if (!worker) {
  console.error('check-dist: no CPU worker bundle (assets/cpu.worker-*.js) in the build');
  process.exit(1);
}
const gpuInWorker = ['@compute', 'createComputePipeline', 'createShaderModule'].filter((m) =>
  readFileSync(join(DIST, worker), 'utf8').includes(m),
);
if (gpuInWorker.length > 0) {
  console.error(`check-dist: the CPU worker bundles GPU code (${gpuInWorker.join(', ')})`);
  process.exit(1);
}
const kib = (file) => Math.round(statSync(join(DIST, file)).size / 1024);
const js = code.filter((f) => f.endsWith('.js'));
const total = js.reduce((sum, f) => sum + kib(f), 0);
const entry = js.find((f) => /^assets\/index-.*\.js$/.test(f));
console.log(
  `check-dist: no test code in dist/ (${js.length} scripts, ${total} KiB; ` +
    `entry ${entry ? kib(entry) : '?'} KiB, CPU worker ${kib(worker)} KiB, no GPU code)`,
);
