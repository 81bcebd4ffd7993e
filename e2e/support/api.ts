import type { Page } from '@playwright/test';
import type { TestApi } from '../../src/testing/api';

/** The test API as seen from a spec: each call runs in the page and resolves with its result. */
export type PageApi = {
  [K in keyof TestApi]: TestApi[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

/**
 * The page's test API (`window.__triad`, in the test build), typed: `api(page).renderNow()`
 * rather than `page.evaluate(() => window.__triad.renderNow())`. Arguments cross into the page
 * as Playwright serializes them (plain data); work that must stay in the page between calls
 * (holding a handle, timing a sequence) still goes through `page.evaluate`.
 */
export function api(page: Page): PageApi {
  return new Proxy({} as PageApi, {
    get: (_, name) => {
      if (typeof name !== 'string') return undefined;
      return (...args: unknown[]) =>
        page.evaluate(
          ([method, params]) => {
            const calls = window.__triad as unknown as Record<string, (...a: unknown[]) => unknown>;
            if (typeof calls[method] !== 'function') throw new Error(`no test API call ${method}`);
            return calls[method](...params);
          },
          [name, args] as const,
        );
    },
  });
}

/** A full garbage collection in the page (Chromium's DevTools protocol). */
export async function collectGarbage(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
  } finally {
    await cdp.detach();
  }
}

/**
 * Crashes the browser's GPU process (DevTools protocol): the way a driver reset or a software
 * adapter's crash takes the device, and whatever else lives in that process, away.
 */
export async function crashGpuProcess(page: Page): Promise<void> {
  const cdp = await page.context().browser()!.newBrowserCDPSession();
  try {
    await cdp.send('Browser.crashGpuProcess');
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/**
 * How many objects of a class (`VideoFrame`, `ArrayBuffer`) the page still holds after a full
 * collection, closed or not (DevTools' `queryObjects`). A count that grows with frames played is a
 * leak even when every frame was closed (issue 15: every frame a worker ever sent stayed
 * reachable from a long-lived promise).
 */
/**
 * The page's memory after a collection (MB): the JS heap, and the ArrayBuffers' contents outside
 * it, where pixels and tensors live and where a leak of results shows (the soak once kept 1.7 GB
 * of masks while the JS heap grew 2 MB).
 */
export async function heapUsage(page: Page): Promise<{ jsHeapMB: number; arrayBuffersMB: number }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const usage = (await cdp.send('Runtime.getHeapUsage')) as {
      usedSize: number;
      backingStorageSize?: number;
    };
    if (usage.backingStorageSize === undefined) throw new Error('no backingStorageSize here');
    return {
      jsHeapMB: usage.usedSize / 2 ** 20,
      arrayBuffersMB: usage.backingStorageSize / 2 ** 20,
    };
  } finally {
    await cdp.detach();
  }
}

export async function liveObjects(page: Page, className: string): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const { result: prototype } = await cdp.send('Runtime.evaluate', {
      expression: `${className}.prototype`,
      objectGroup: 'liveObjects',
    });
    const { objects } = await cdp.send('Runtime.queryObjects', {
      prototypeObjectId: prototype.objectId!,
      objectGroup: 'liveObjects',
    });
    const { result } = await cdp.send('Runtime.callFunctionOn', {
      objectId: objects.objectId!,
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    });
    await cdp.send('Runtime.releaseObjectGroup', { objectGroup: 'liveObjects' });
    return result.value as number;
  } finally {
    await cdp.detach();
  }
}
