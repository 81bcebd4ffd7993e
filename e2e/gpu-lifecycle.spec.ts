import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { TriadPage } from './pages/triad-page';
import { api, collectGarbage } from './support/api';

test.describe('GPU lifecycle', () => {
  let app: TriadPage;

  test.beforeEach(async ({ page }) => {
    app = new TriadPage(page);
    await app.gotoWithImage('chelsea.png');
  });

  test('after the device is lost, a new one is made and rendering resumes', async ({ page }) => {
    await app.addEffect('colour', 'colour-adjust');
    await app.setNumber(0, 'Hue', 90);
    // Not a sharpening stage after a colour one: sharpening amplifies the colour stage's
    // rounding differences past the per-kernel tolerance (parity.spec covers each kernel alone).
    await app.addEffect('blur', 'gaussian-blur');
    await app.actualSize();
    await app.expectCanvasMatchesCpu();

    await api(page).loseDevice();
    await expect(app.notices.filter({ hasText: 'GPU device lost' })).toBeVisible();
    await expect(page.getByTestId('app.gpu-status')).toHaveAttribute('data-status', 'ready');
    expect((await api(page).state()).deviceGeneration).toBe(2);

    // Same picture from the new device, and the chain and image survived.
    const result = await app.compareCanvasWithCpu();
    expect(result.compared).toBeGreaterThan(400 * 280);
    expect(result.over).toBe(0);
    expect(result.gpuErrors).toBe(0);
    // Editing keeps working on the new device.
    await app.setNumber(0, 'Hue', -45);
    await app.expectCanvasMatchesCpu();
  });

  test('a frame in flight when the device is lost is rendered again on the new device', async ({
    page,
  }) => {
    await app.addEffect('sobel', 'sobel');
    await app.stage(0).getByTestId('stage.target').selectOption('cpu');
    await api(page).renderNow();
    const result = await page.evaluate(async () => {
      const frame = window.__triad.renderShared(); // waits on the CPU workers…
      const next = window.__triad.renderShared(); // (and a frame asked for beside it)
      window.__triad.loseDevice(); // …while the device goes away
      const [stats, after] = await Promise.all([frame, next]);
      return {
        ran: stats?.ran.map((r) => r.target) ?? null,
        next: after?.ran.map((r) => r.target) ?? null,
        generation: window.__triad.state().deviceGeneration,
      };
    });
    expect(result).toEqual({ ran: ['cpu'], next: ['cpu'], generation: 2 });
    await app.actualSize();
    await app.expectCanvasMatchesCpu();
  });

  test('a still image the GPU stopped holding as uploaded is never shown: the app draws it again on a new device', async ({
    page,
  }) => {
    await app.addEffect('colour', 'colour-adjust');
    await app.setNumber(0, 'Hue', 90);
    await app.actualSize();
    await app.expectCanvasMatchesCpu();
    // On by default where the browser has been seen to do this (the GL backend, lavapipe here).
    const { guards } = await api(page).blackOutStill(true);
    expect(guards).toBe(true);
    // The next frame: drawn from the image, not from the zeros the texture holds now.
    await app.expectCanvasMatchesCpu();
    expect((await api(page).state()).deviceGeneration).toBe(2);
    const notice = app.notices.filter({ hasText: 'Image drawn again on a new GPU device' });
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('did not show them');
    // Editing goes on on the new device.
    await app.setNumber(0, 'Hue', -45);
    await app.expectCanvasMatchesCpu();
  });

  test('copying the canvas into a 2D canvas, the GL backend’s corruption trigger, never puts wrong pixels on screen', async ({
    page,
  }) => {
    test.skip(
      test.info().project.metadata.adapter !== 'lavapipe',
      'the trigger is Chromium’s OpenGL ES backend’s (lavapipe here)',
    );
    await app.addEffect('colour', 'colour-adjust');
    await app.setNumber(0, 'Hue', 90);
    await app.actualSize();
    // Without the guard, 2 of 4 such runs went on showing black frames after a few rounds (a
    // garbage collection between the copies makes it come sooner).
    for (let round = 0; round < 20; round++) {
      await api(page).copyCanvasTo2d(5);
      await collectGarbage(page);
      await app.expectCanvasMatchesCpu();
    }
    test.info().annotations.push({
      type: 'redrawn on a new device',
      description: String((await api(page).state()).deviceGeneration - 1),
    });
  });

  test('a video playing while its canvas is copied into a 2D canvas, the same trigger, and then paused shows the chain’s pixels', async ({
    page,
  }) => {
    test.skip(
      test.info().project.metadata.adapter !== 'lavapipe',
      'the trigger is Chromium’s OpenGL ES backend’s (lavapipe here)',
    );
    test.setTimeout(120_000);
    await app.addEffect('colour', 'colour-adjust');
    await app.setNumber(0, 'Hue', 90);
    await app.openClip();
    await api(page).videoPlay();
    await expect.poll(async () => (await api(page).videoState()).shown).toBeGreaterThan(3);
    // Unchecked, the paused frame was wrong in 2 of 3 such runs (the GPU's memory corrupted
    // during playback stays so); with the canary alone, in 1 of 3 (the source loaded by the
    // kernels as black while copies of it read right); with the source's rows checked too, in 0
    // of 10, the watch beside the playing frames replacing the device 0–2 times a run.
    for (let round = 0; round < 30; round++) {
      await page.evaluate(async () => {
        const canvas = document.querySelector('canvas')!;
        const copy = new OffscreenCanvas(canvas.width, canvas.height).getContext('2d')!;
        for (let i = 0; i < 5; i++) {
          await new Promise((resolve) => requestAnimationFrame(resolve));
          copy.drawImage(canvas, 0, 0);
        }
      });
      await collectGarbage(page);
    }
    const whilePlaying = (await api(page).state()).deviceGeneration - 1;
    await api(page).videoPause();
    await app.actualSize();
    for (let i = 0; i < 3; i++) await app.expectCanvasMatchesCpu();
    test.info().annotations.push({
      type: 'new devices (while playing / after pausing)',
      description: `${whilePlaying} / ${(await api(page).state()).deviceGeneration - 1 - whilePlaying}`,
    });
  });

  test('1000 frames while the chain and image size change leave no GPU objects behind', async ({
    page,
  }) => {
    const rows = ['LUT_3D_SIZE 9'];
    for (let b = 0; b < 9; b++)
      for (let g = 0; g < 9; g++)
        for (let r = 0; r < 9; r++) rows.push(`${g / 8} ${b / 8} ${r / 8}`);
    await app.dropFiles([{ name: 'rotate.cube', bytes: Buffer.from(rows.join('\n')) }]);
    const lut = ((await app.chain()).stages[0].params as { lut: unknown }).lut;

    const report = await page.evaluate(async (lut) => {
      const api = window.__triad;
      const chains = [
        [{ effect: 'invert' }],
        [{ effect: 'gaussian-blur', params: { radius: 5 } }, { effect: 'vignette' }],
        [
          { effect: 'unsharp-mask' },
          { effect: 'lut-3d', params: { lut } },
          { effect: 'film-grain' },
        ],
        [
          { effect: 'pixelate' },
          { effect: 'sobel' },
          { effect: 'colour-adjust' },
          { effect: 'posterize' },
        ],
        [],
        [
          { effect: 'lut-3d', params: { lut } },
          { effect: 'chromatic-aberration' },
          { effect: 'grayscale' },
        ],
      ];
      const json = (i: number) =>
        JSON.stringify({ v: 1, stages: chains[i].map((s) => ({ enabled: true, ...s })) });
      const sizes: [number, number][] = [
        [96, 64],
        [150, 97],
        [33, 201],
        [256, 128],
      ];
      api.setSyntheticImage(...sizes[0]);
      api.setChain(json(0));
      // Past the texture pool's 16-frame window: what the page's first image held is trimmed.
      for (let i = 0; i < 17; i++) await api.renderNow();
      await api.settle();
      const start = api.counters()!;
      const badFrames: unknown[] = [];
      let maxPoolFree = 0;
      for (let i = 0; i < 1000; i++) {
        if (i % 20 === 0) api.setChain(json((i / 20) % chains.length));
        if (i % 125 === 0) api.setSyntheticImage(...sizes[(i / 125) % sizes.length]);
        const stats = await api.renderNow();
        if (!stats || stats.submits !== 1 || stats.readbacks !== 0) badFrames.push(stats);
        maxPoolFree = Math.max(maxPoolFree, api.counters()!.poolFree);
        if (i % 50 === 49) await api.settle();
      }
      const peak = api.counters()!;
      api.setSyntheticImage(...sizes[0]);
      api.setChain(json(0));
      // The pool keeps what the last 16 frames held at once (PEAK_WINDOW_FRAMES): past them,
      // only what this chain needs is left.
      for (let i = 0; i < 17; i++) await api.renderNow();
      await api.settle();
      return { start, peak, end: api.counters()!, badFrames, maxPoolFree };
    }, lut);

    expect(report.badFrames).toEqual([]);
    expect(report.maxPoolFree).toBeLessThanOrEqual(8);
    expect(report.end.errors).toBe(0);
    expect(report.end.readbacks).toBe(report.start.readbacks);
    // Everything but the pool's textures is what it was, label by label. The pool keeps what the
    // last 16 frames held at once, which depends on when the GPU finished each frame (1 to 3
    // textures here for this chain): each it keeps, it knows of (none lost outside it).
    const unpooled = (live: Record<string, number>) =>
      Object.entries(live)
        .filter(([label]) => !label.startsWith('Triad.pool.'))
        .sort();
    const pooled = (live: Record<string, number>) =>
      Object.entries(live)
        .filter(([label]) => label.startsWith('Triad.pool.'))
        .reduce((n, [, count]) => n + count, 0);
    expect(unpooled(report.end.live)).toEqual(unpooled(report.start.live));
    expect(pooled(report.end.live)).toBe(report.end.poolFree + report.end.poolInUse);
    expect(pooled(report.end.live)).toBeLessThanOrEqual(4);
    expect(report.end.liveTextures).toBe(
      report.start.liveTextures - pooled(report.start.live) + pooled(report.end.live),
    );
    expect(report.end.liveBuffers).toBe(report.start.liveBuffers);
    // Every one of the 1000 frames was rendered.
    expect(report.peak.submits - report.start.submits).toBeGreaterThanOrEqual(1000);
  });

  for (const heldWrong of [false, true])
    test(`export writes a full-resolution PNG of the processed image${heldWrong ? ', drawn on a new device where the GPU stopped holding the image as uploaded' : ''}`, async ({
      page,
    }) => {
      await app.addEffect('posterize', 'posterize');
      await app.addEffect('vign', 'vignette');
      if (heldWrong) {
        await api(page).renderNow();
        await api(page).blackOutStill(true);
      }
      const download = page.waitForEvent('download');
      await page.getByTestId('app.export').click();
      const file = await download;
      expect(file.suggestedFilename()).toBe('chelsea-triad.png');
      const path = await file.path();
      const bytes = Array.from(readFileSync(path));
      expect(Buffer.from(bytes.slice(1, 4)).toString('latin1')).toBe('PNG');
      const result = await page.evaluate(async (bytes) => {
        const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)]), {
          premultiplyAlpha: 'none',
          colorSpaceConversion: 'none',
        });
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(bitmap, 0, 0);
        const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
        return window.__triad.compareWithCpu({ width: bitmap.width, height: bitmap.height, data });
      }, bytes);
      // Full resolution, and the pixels are the chain's output.
      expect([result.width, result.height]).toEqual([451, 300]);
      expect(result.over, JSON.stringify(result.firstOver)).toBe(0);
      expect((await api(page).state()).deviceGeneration).toBe(heldWrong ? 2 : 1);
    });
});
