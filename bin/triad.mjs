#!/usr/bin/env node
// The `triad` command (src/cli/): the app's TypeScript runs here through Vite's module loader,
// as in the unit tests — the engine imports its WGSL kernels as `?raw`, which only Vite resolves.
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const controller = new AbortController();
let removePartials = () => {};
let interrupts = 0;
process.on('SIGINT', () => {
  if (++interrupts === 1) {
    controller.abort();
    process.stderr.write(
      '\nStopping: the images in progress finish and are written, nothing new starts (Ctrl-C again to stop now).\n',
    );
    return;
  }
  removePartials(); // no half-written file stays behind
  process.stderr.write('Stopped. Results already written are kept.\n');
  process.exit(130);
});

const server = await createServer({
  root,
  configFile: false,
  logLevel: 'warn',
  appType: 'custom',
  server: { middlewareMode: true, watch: null, hmr: false },
  optimizeDeps: { noDiscovery: true, include: [] },
  resolve: {
    alias: {
      // wgsl_reflect's `main` is a CommonJS file in an ES module package: use its ES build.
      wgsl_reflect: fileURLToPath(
        new URL('../node_modules/wgsl_reflect/wgsl_reflect.module.js', import.meta.url),
      ),
    },
  },
});
let code = 1;
try {
  // First: it installs the WebGPU globals (GPUTextureUsage, …) the app's modules use.
  await server.ssrLoadModule('/src/gpu/dawn-node.ts');
  const { main } = await server.ssrLoadModule('/src/cli/main.ts');
  ({ removePartials } = await server.ssrLoadModule('/src/cli/images.ts'));
  code = await main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    tty: process.stderr.isTTY === true,
    signal: controller.signal,
  });
} catch (error) {
  process.stderr.write(
    `triad: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
  );
} finally {
  await server.close();
}
process.exitCode = code;
// What a native module may still hold (Dawn's instance, onnxruntime's threads) must not keep
// the command from exiting once its work is done.
setTimeout(() => process.exit(code), 2000).unref();
