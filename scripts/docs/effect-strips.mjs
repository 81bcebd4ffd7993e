// npm run docs:effects — a before/after picture of every pixel effect on a shared photo, rendered
// by the app's own engine on Dawn (Node, no browser), into docs/effects/, and docs/EFFECTS.md
// listing them. Vite loads the TypeScript (the engine imports its WGSL as `?raw`).
import { createServer } from 'vite';

const server = await createServer({
  server: { middlewareMode: true },
  appType: 'custom',
  logLevel: 'warn',
});
try {
  // First: it installs the WebGPU globals (GPUTextureUsage, …) the engine's modules use.
  await server.ssrLoadModule('/src/gpu/dawn-node.ts');
  const { writeEffectStrips } = await server.ssrLoadModule('/scripts/docs/strips.ts');
  const written = await writeEffectStrips();
  console.log(
    `docs:effects — ${written} pixel effects pictured in docs/effects/; docs/EFFECTS.md lists every effect`,
  );
} finally {
  await server.close();
}
