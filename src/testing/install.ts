import type { AppState } from '../app/state/app.svelte';
import type { CompareState } from '../app/state/compare.svelte';
import { createTestApi, type TestApi } from './api';

declare global {
  interface Window {
    /** The test and benchmark API: in the test build only (see `#test-api` in vite.config.ts). */
    __triad: TestApi;
  }
}

/** Puts the test API on `window.__triad`, before the app starts. */
export function installTestApi(app: AppState, compare: CompareState): void {
  window.__triad = createTestApi(app, compare);
}
