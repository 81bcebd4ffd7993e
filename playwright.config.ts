import { defineConfig, type Project } from '@playwright/test';
import { adapterKind, chromiumArgs, findChromium } from './scripts/chromium.mjs';

const PORT = 4183;
const executablePath = findChromium() ?? undefined;

function project(adapter: ReturnType<typeof adapterKind>, extra: Partial<Project> = {}): Project {
  return {
    name: adapter,
    metadata: { adapter },
    use: { launchOptions: { executablePath, args: chromiumArgs(adapter) } },
    ...extra,
  };
}

const main = adapterKind();

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // The machines this runs on have 2 cores and a software GPU: one browser at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: process.env.CI ? 1 : 0,
  timeout: 120_000,
  // In CI the whole run stops after 65 minutes (it takes ~37): a run that hangs fails with its
  // report (what passed, what was running) instead of using up CI's 90 minutes with no word.
  globalTimeout: process.env.CI ? 65 * 60_000 : 0,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${PORT}`,
    browserName: 'chromium',
    viewport: { width: 1100, height: 720 },
    trace: 'retain-on-first-failure',
  },
  projects: [
    // Everything on the main adapter (lavapipe in compatibility mode unless TRIAD_ADAPTER says).
    project(main),
    // Kernel parity (effects and ML ops) again on core WebGPU (SwiftShader): both feature levels;
    // and the chaos test: recovery on the other software adapter too.
    ...(main === 'swiftshader'
      ? []
      : [
          project('swiftshader', {
            testMatch: ['parity.spec.ts', 'ml-ops.spec.ts', 'chaos.spec.ts'],
          }),
        ]),
  ],
  webServer: {
    command: `npx vite build --mode testing --logLevel warn && npx vite preview --mode testing --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
