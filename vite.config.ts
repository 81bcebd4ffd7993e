import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { createReadStream, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Connect, Plugin } from 'vite';
import type { ServerResponse } from 'node:http';

/**
 * onnxruntime-web loads its WebAssembly (and the glue module for it) at run time from
 * `env.wasm.wasmPaths`. This serves them at /ort/ in development and emits them under ort/ in
 * the build, from the installed package, so the versions always match. Three builds are used, each
 * in a worker: the plain WebAssembly one (ort-wasm), and for ort-webgpu the JSPI one where the
 * browser has JSPI, the asyncify one elsewhere (WebNN, on the page, uses the plain one).
 */
function onnxRuntimeAssets(): Plugin {
  const dist = fileURLToPath(new URL('./node_modules/onnxruntime-web/dist/', import.meta.url));
  const files = () =>
    readdirSync(dist).filter((f) =>
      /^ort-wasm-simd-threaded(\.asyncify|\.jspi)?\.(wasm|mjs)$/.test(f),
    );
  return {
    name: 'triad:onnxruntime-assets',
    configureServer(server) {
      server.middlewares.use('/ort/', (req, res, next) => {
        const name = (req.url ?? '').replace(/^\//, '').split('?')[0];
        if (!files().includes(name)) return next();
        res.setHeader(
          'Content-Type',
          name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript',
        );
        createReadStream(dist + name).pipe(res);
      });
    },
    generateBundle() {
      for (const name of files()) {
        this.emitFile({
          type: 'asset',
          fileName: `ort/${name}`,
          source: readFileSync(dist + name),
        });
      }
    },
  };
}

/**
 * Vite's static server sends files it has no type for (`.onnx`, the models) with an empty
 * Content-Type; those answers say application/octet-stream. Only answers whose type is still
 * empty change (a missing model's SPA fallback stays text/html), compressed or not.
 */
function modelContentType(): Plugin {
  const fill: Connect.NextHandleFunction = (_req, res, next) => {
    const writeHead = res.writeHead;
    res.writeHead = function (
      this: ServerResponse,
      ...args: Parameters<ServerResponse['writeHead']>
    ) {
      const headers = args.find((a) => typeof a === 'object' && a !== null && !Array.isArray(a));
      if (headers && (headers as Record<string, unknown>)['Content-Type'] === '')
        (headers as Record<string, unknown>)['Content-Type'] = 'application/octet-stream';
      // Vite's compression middleware (for clients that accept gzip) sets them one by one first.
      if (this.getHeader('Content-Type') === '')
        this.setHeader('Content-Type', 'application/octet-stream');
      return writeHead.apply(this, args);
    } as ServerResponse['writeHead'];
    next();
  };
  return {
    name: 'triad:model-content-type',
    configureServer: (server) => void server.middlewares.use(fill),
    configurePreviewServer: (server) => void server.middlewares.use(fill),
  };
}

// Cross-origin isolation (COOP/COEP) makes SharedArrayBuffer and wasm threads available,
// which the CPU pool and onnxruntime-web rely on in later stages.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The test build (`--mode testing`, in `dist-test/`) is the app plus its test and benchmark API
 * on `window.__triad` (src/testing/); every other build resolves `#test-api` to a no-op, so
 * production bundles none of it.
 */
const TESTING = 'testing';
const testApi = (mode: string) =>
  fileURLToPath(
    new URL(`./src/testing/${mode === TESTING ? 'install' : 'absent'}.ts`, import.meta.url),
  );

export default defineConfig(({ mode }) => ({
  plugins: [svelte(), onnxRuntimeAssets(), modelContentType()],
  resolve: { alias: { '#test-api': testApi(mode) } },
  // WGSL kernels are imported as text: `import code from '../../shaders/blur.wgsl?raw'`.
  assetsInclude: [],
  server: { headers: isolationHeaders, port: 5173 },
  preview: { headers: isolationHeaders, port: 4173 },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, outDir: mode === TESTING ? 'dist-test' : 'dist' },
  test: {
    include: ['src/**/*.test.ts', 'server/**/*.test.ts', 'scripts/**/*.test.ts'],
    // wgsl_reflect's `main` is a CommonJS file in an ES module package: use its ES module build.
    alias: {
      wgsl_reflect: fileURLToPath(
        new URL('./node_modules/wgsl_reflect/wgsl_reflect.module.js', import.meta.url),
      ),
    },
    environment: 'node',
  },
}));
