import { defineConfig } from '@playwright/test';
import { adapterKind, chromiumArgs, findChromium } from './scripts/chromium.mjs';

const PORT = 4183;

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // The machines this runs on have 2 cores and a software GPU: one browser at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: process.env.CI ? 1 : 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${PORT}`,
    browserName: 'chromium',
    viewport: { width: 1100, height: 720 },
    trace: 'retain-on-first-failure',
    launchOptions: {
      executablePath: findChromium() ?? undefined,
      args: chromiumArgs(),
    },
  },
  metadata: { adapter: adapterKind() },
  webServer: {
    command: `npx vite build --logLevel warn && npx vite preview --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
