// Shared benchmark plumbing: serve the built app, open it in Chromium with WebGPU, and write
// results in the one JSON shape every Triad benchmark uses.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { adapterKind, appQuery, chromiumArgs, findChromium } from '../chromium.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function openApp() {
  // The test build (`vite build --mode testing`): the app with its API on `window.__triad`.
  const server = await preview({
    root: ROOT,
    mode: 'testing',
    preview: { port: 0, strictPort: false },
    logLevel: 'warn',
  });
  const url = server.resolvedUrls.local[0];
  const browser = await chromium.launch({
    executablePath: findChromium() ?? undefined,
    args: chromiumArgs(),
  });
  const page = await browser.newPage();
  await page.route('**/__fixtures/*', (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    return route.fulfill({ body: readFileSync(`${ROOT}e2e/fixtures/${name}`) });
  });
  await page.goto(`${url}${appQuery()}`);
  const status = await page.evaluate(() => window.__triad.ready());
  if (status !== 'ready') throw new Error(`WebGPU is not available in this browser (${status})`);
  const state = await page.evaluate(() => window.__triad.state());
  const environment = {
    browser: `Chromium ${browser.version()}`,
    adapter: { kind: adapterKind(), ...state.adapter },
    ...machine(),
  };
  return {
    page,
    environment,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** This machine, as every benchmark's `environment` describes it. */
export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
  };
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

const round = (v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v);

/** Writes bench-results/<name>.json and prints the results as a table. */
export function report(name, environment, results) {
  const out = { benchmark: name, date: new Date().toISOString(), environment, results };
  mkdirSync(`${ROOT}bench-results`, { recursive: true });
  const file = `${ROOT}bench-results/${name}.json`;
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  const where = environment.browser
    ? `${environment.browser}, adapter ${environment.adapter.kind}`
    : `Node ${environment.node}`;
  console.log(`\n${name} — ${where}, ${environment.cpus} CPUs`);
  console.table(
    results.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
  );
  console.log(`wrote ${file}`);
}
