import { expect, test, type Page } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { startEndpoint, type Endpoint } from './support/endpoint';
import { maskIoU, referenceMask } from './support/reference-models';
import { api } from './support/api';

async function pointAt(page: Page, url: string) {
  await page.getByTestId('endpoint.toggle').click();
  await page.getByTestId('endpoint.url').fill(url);
  await page.getByTestId('endpoint.save').click();
}

/** Opens the app on a photo and points it at the endpoint; waits for the state it reports. */
async function openWith(page: Page, endpoint: Endpoint, state = 'ready') {
  await new TriadPage(page).gotoWithImage('astronaut-256.png');
  await pointAt(page, endpoint.url);
  await expect(page.getByTestId('endpoint.state')).toHaveText(state);
}

test.describe('the inference endpoint as an ML target', () => {
  let endpoint: Endpoint | null = null;

  test.afterEach(async () => {
    await endpoint?.kill();
    endpoint = null;
  });

  test('its health is checked when the app opens, before any AI effect: ready, or unreachable', async ({
    page,
  }) => {
    endpoint = await startEndpoint();
    const settings = { url: endpoint.url, token: '', mode: 'binary', timeoutMs: 30_000 };
    await page.addInitScript(
      (saved) => localStorage.setItem('triad.endpoint', saved),
      JSON.stringify(settings),
    );
    await new TriadPage(page).goto();
    await expect(page.getByTestId('endpoint.state')).toHaveText('ready');
    // The same page with nothing listening there says so, unasked.
    await endpoint.kill();
    await page.reload();
    await expect(page.getByTestId('endpoint.state')).toHaveText('unreachable');
  });

  test('runs an AI effect on the endpoint; when the server dies the stage moves, and it comes back with the server', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    endpoint = await startEndpoint();
    await openWith(page, endpoint);

    await page.evaluate(() =>
      window.__triad.setChain(
        JSON.stringify({
          v: 1,
          stages: [{ effect: 'show-mask', enabled: true, target: 'remote' }],
        }),
      ),
    );
    const first = (await api(page).renderNow())!;
    expect(first.ran[0]).toEqual({ stage: expect.any(String), target: 'remote' });
    const reference = await referenceMask(await api(page).sourcePixels());
    const { iou } = maskIoU(await api(page).renderResult(), reference);
    expect(iou).toBeGreaterThanOrEqual(0.98);

    // The server dies: the client reports it, the stage runs elsewhere, the frame is not lost.
    await endpoint.kill();
    const during = (await api(page).renderNow())!;
    expect(during.ran[0].skipped).toBeUndefined();
    expect(during.ran[0].target).not.toBe('remote');
    expect(during.ran[0].failedOver).toBe(true);
    await expect(page.getByTestId('endpoint.state')).toHaveText('unreachable');

    // Back on the same port: the monitor notices and the stage returns to the endpoint.
    endpoint = await startEndpoint(endpoint.port);
    await expect(page.getByTestId('endpoint.state')).toHaveText('ready', { timeout: 30_000 });
    await expect
      .poll(async () => (await api(page).renderNow())!.ran[0].target, {
        timeout: 30_000,
      })
      .toBe('remote');
  });

  test('a playing video whose endpoint dies goes on without the AI stage while ort-wasm loads the model, then runs it there', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    endpoint = await startEndpoint();
    await openWith(page, endpoint);
    await api(page).setChain(
      JSON.stringify({ v: 1, stages: [{ effect: 'show-mask', enabled: true, target: 'remote' }] }),
    );
    await new TriadPage(page).openClip();
    await api(page).videoPlay();
    const ranOn = async () => (await api(page).state()).lastFrame?.ran[0];
    await expect.poll(async () => (await ranOn())?.target, { timeout: 60_000 }).toBe('remote');
    expect(await api(page).mlModelsLoaded()).toBe(1); // only the endpoint's: ort-wasm is cold

    // The endpoint dies: the frames do not wait for ort-wasm's first load, they go on without
    // the stage and say why (a frame that waited would run the stage, not skip it); once the
    // model is loaded, the stage runs there. (How many frames are shown meanwhile depends on how
    // fast the load is: on a fresh machine it beat the next frame.)
    // Every frame presented is looked at in the page (a poll from here, ~50 ms a round trip on
    // a busy machine, missed the few skipped frames a fast load leaves).
    await page.evaluate(() => {
      const seen = ((window as unknown as { skipSeen: unknown }).skipSeen = { reason: '' });
      let last: unknown = null;
      const look = () => {
        const frame = window.__triad.state().lastFrame;
        if (frame !== last && frame?.ran[0]?.skipped) seen.reason = frame.ran[0].reason ?? '?';
        last = frame;
        if (!seen.reason) setTimeout(look, 10);
      };
      look();
    });
    const shownAtKill = (await api(page).videoState()).shown;
    await endpoint.kill();
    const skipped = () =>
      page.evaluate(() => (window as unknown as { skipSeen: { reason: string } }).skipSeen.reason);
    await expect.poll(skipped, { timeout: 30_000 }).not.toBe('');
    expect(await skipped()).toMatch(/ort-wasm is loading the model/);
    expect((await api(page).videoState()).shown).toBeGreaterThan(shownAtKill); // it was shown
    await expect
      .poll(
        async () => {
          const frame = await ranOn();
          return frame?.target === 'ort-wasm' && !frame.skipped;
        },
        { timeout: 60_000, intervals: [50] },
      )
      .toBe(true);
    expect((await ranOn())?.failedOver).toBe(true);
    const video = await api(page).videoState();
    expect(video.playing).toBe(true);
    expect(video.shown + video.dropped).toBeLessThanOrEqual(video.decoded);
  });

  test('under GPU + accelerator the scheduler uses the endpoint, routes around it while it is down, and returns to it', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    endpoint = await startEndpoint();
    await openWith(page, endpoint);
    await page.evaluate(() =>
      window.__triad.setChain(
        JSON.stringify({ v: 1, stages: [{ effect: 'show-mask', enabled: true }] }),
      ),
    );
    await page.getByTestId('chain.placement').selectOption('gpu+accelerator');
    // After calibrating every allowed target, the plan settles on the endpoint (far faster here
    // than WebGPU on a software adapter).
    await expect
      .poll(async () => (await api(page).renderNow())!.ran[0].target, {
        timeout: 90_000,
        intervals: [0],
      })
      .toBe('remote');
    await endpoint.kill();
    const during = (await api(page).renderNow())!;
    expect(during.ran[0].skipped).toBeUndefined();
    expect(['ort-webgpu', 'tfjs-webgpu']).toContain(during.ran[0].target);
    endpoint = await startEndpoint(endpoint.port);
    await expect(page.getByTestId('endpoint.state')).toHaveText('ready', { timeout: 30_000 });
    await expect
      .poll(async () => (await api(page).renderNow())!.ran[0].target, {
        timeout: 90_000,
        intervals: [0],
      })
      .toBe('remote');
  });

  test('a wrong token is reported as refused, and the stage runs locally', async ({ page }) => {
    test.setTimeout(120_000);
    endpoint = await startEndpoint(0, ['--token', 'sesame']);
    await openWith(page, endpoint, 'token refused');
    await page.getByTestId('endpoint.token').fill('sesame');
    await page.getByTestId('endpoint.save').click();
    await expect(page.getByTestId('endpoint.state')).toHaveText('ready');
    await page.getByTestId('endpoint.url').fill('ftp://nope');
    await page.getByTestId('endpoint.save').click();
    await expect(page.getByRole('alert').filter({ hasText: 'http://' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('endpoint.form')).toBeHidden();
  });
});
