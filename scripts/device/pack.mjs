// npm run device:pack — what `triad bench --effects` needs on a Linux GPU machine that has no
// Node and no network, in device-pack/ (git-ignored): this machine's Node binary, Dawn's
// dawn.node, the command's code bundled into one file, and the benchmark's frame decoded.
// Everything large is gzipped (the device tool carries at most 64 MiB with the checkout).
// See scripts/device/README.md for the run itself.
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, createServer } from 'vite';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = `${ROOT}device-pack/`;
rmSync(OUT, { recursive: true, force: true });
mkdirSync(`${OUT}node_modules/webgpu/dist/linux-x64`, { recursive: true });

// The command's code in one ES module: everything bundled but Dawn's binding (and sharp, which
// only decodes the frame here).
await build({
  root: ROOT,
  configFile: false,
  logLevel: 'warn',
  resolve: {
    alias: {
      wgsl_reflect: `${ROOT}node_modules/wgsl_reflect/wgsl_reflect.module.js`,
    },
  },
  publicDir: false, // the app's models and samples stay home
  ssr: { noExternal: true, external: ['webgpu', 'sharp'] },
  build: {
    ssr: `${ROOT}scripts/device/bench-effects.ts`,
    outDir: OUT,
    emptyOutDir: false,
    target: 'node20',
    rollupOptions: { output: { entryFileNames: 'bench-effects.mjs', codeSplitting: false } },
  },
});

// Dawn's binding: the package's entry and the Linux build only.
const webgpu = `${ROOT}node_modules/webgpu/`;
for (const f of ['package.json', 'index.js'])
  copyFileSync(webgpu + f, `${OUT}node_modules/webgpu/${f}`);
const gz = (from, to) => writeFileSync(to, gzipSync(readFileSync(from), { level: 9 }));
gz(`${webgpu}dist/linux-x64/dawn.node`, `${OUT}node_modules/webgpu/dist/linux-x64/dawn.node.gz`);
gz(process.execPath, `${OUT}node.gz`);

// The frame, decoded here as the command decodes it (sharp does not travel).
const server = await createServer({
  root: ROOT,
  configFile: false,
  logLevel: 'warn',
  appType: 'custom',
  server: { middlewareMode: true, watch: null, hmr: false },
  optimizeDeps: { noDiscovery: true, include: [] },
});
try {
  await server.ssrLoadModule('/src/gpu/dawn-node.ts'); // the WebGPU globals, first
  const { benchPhoto } = await server.ssrLoadModule('/src/cli/bench.ts');
  const photo = await benchPhoto();
  writeFileSync(`${OUT}frame.rgba.gz`, gzipSync(Buffer.from(photo.data.buffer), { level: 9 }));
} finally {
  await server.close();
}

let total = 0;
for (const f of [
  'bench-effects.mjs',
  'node.gz',
  'frame.rgba.gz',
  'node_modules/webgpu/dist/linux-x64/dawn.node.gz',
]) {
  const size = statSync(OUT + f).size;
  total += size;
  console.log(`${f}: ${(size / 2 ** 20).toFixed(1)} MiB`);
}
console.log(`device-pack/: ${(total / 2 ** 20).toFixed(1)} MiB (Node ${process.version})`);
process.exit(0); // Dawn's instance (loaded for the frame) would keep Node alive
