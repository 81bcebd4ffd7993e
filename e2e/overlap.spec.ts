// Two frames in flight (the default): one frame's CPU and AI stages overlap the next frame's.
// Each frame must still be exactly its own source through the chain, and frames must present in
// the order they started.
import { expect, test } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { api } from './support/api';

const STAGES = [
  { effect: 'film-grain', target: 'gpu' }, // seeded by the frame number
  { effect: 'sobel', target: 'cpu' }, // the first frame waits on the workers here
  { effect: 'vignette', target: 'gpu' },
  { effect: 'unsharp-mask', target: 'gpu' },
];

test.describe('frames in flight', () => {
  let app: TriadPage;

  test.beforeEach(async ({ page }) => {
    app = new TriadPage(page);
    await app.gotoWithImage('chelsea.png');
  });

  for (const clean of [false, true]) {
    test(`two frames at once from two sources each match the CPU reference of their own source and frame${clean ? ' (clean timing)' : ''}`, async ({
      page,
    }) => {
      const report = await page.evaluate(
        ({ stages, clean }) =>
          window.__triad.overlapParity({
            imageUrls: ['/__fixtures/chelsea.png', '/__fixtures/astronaut-256.png'],
            size: [160, 120],
            stages,
            clean,
            reference: 'cpu',
          }),
        { stages: STAGES, clean },
      );
      expect(report.peakRunning).toBe(2);
      expect(report.gpuErrors).toBe(0);
      // Which frame, too: CI once had 45 657 channels over in one of them (clean timing, lavapipe;
      // not reproduced in 100 runs alone or under load).
      for (const [i, r] of report.results.entries())
        expect(r.over, `frame ${i + 1}: ${JSON.stringify(r)}`).toBe(0);
    });
  }

  test('with AI stages on the GPU side (their buffers shared between frames), two frames at once equal each frame run alone', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const report = await page.evaluate(() =>
      window.__triad.overlapParity({
        imageUrls: ['/__fixtures/astronaut-256.png', '/__fixtures/chelsea.png'],
        size: [160, 120],
        stages: [
          { effect: 'film-grain', target: 'gpu' },
          // Segmentation on ort-wasm keeps the frame on the GPU: mask into a shared buffer.
          { effect: 'background-blur', target: 'ort-wasm', params: { radius: 4 } },
          { effect: 'sobel', target: 'cpu' },
          { effect: 'show-mask', target: 'ort-wasm' },
          { effect: 'vignette', target: 'gpu' },
        ],
        clean: false,
        reference: 'alone',
      }),
    );
    expect(report.peakRunning).toBe(2);
    expect(report.gpuErrors).toBe(0);
    for (const r of report.results) expect(r.over, JSON.stringify(r)).toBe(0);
  });

  test('frames started back to back overlap, resolve and present in the order they started; the canvas shows the last', async ({
    page,
  }) => {
    await app.addEffect('grain', 'film-grain');
    await app.addEffect('sobel', 'sobel');
    await app.stage(1).getByTestId('stage.target').selectOption('cpu');
    await app.addEffect('vignette', 'vignette');
    await expect(page.getByTestId('perf.in-flight')).toHaveValue('2');
    await api(page).renderNow();
    const run = await api(page).overlapRender(8);
    expect(run.peakRunning).toBe(2);
    const ascending = [...run.resolved].sort((a, b) => a - b);
    expect(run.resolved).toEqual(ascending);
    expect(run.presented).toEqual(ascending);
    for (const targets of run.targets) expect(targets).toEqual(['gpu', 'cpu', 'gpu']);
    await app.actualSize();
    await app.expectCanvasMatchesCpu();
  });

  test('at one frame in flight frames never overlap, and the choice is kept across reloads', async ({
    page,
  }) => {
    await app.addEffect('sobel', 'sobel');
    await app.stage(0).getByTestId('stage.target').selectOption('cpu');
    await page.getByTestId('perf.in-flight').selectOption('1');
    await api(page).renderNow();
    const run = await api(page).overlapRender(6);
    expect(run.peakRunning).toBe(1);
    expect(run.presented).toEqual([...run.presented].sort((a, b) => a - b));
    await page.reload();
    await expect(page.getByTestId('perf.in-flight')).toHaveValue('1');
  });

  test('with three frames in flight, 150 frames through a CPU stage each come back with their own pixels', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    // As an export runs them: the next frame's source is written while the frames before it are
    // in their CPU round trip. On lavapipe, about one run in four had frames come back with
    // another frame's pixels (and every frame after them) while the texture pool destroyed
    // textures under work still running; it now waits for the queue (src/gpu/texture-pool.ts).
    const run = await api(page).overlappedRoundTrips({
      frames: 150,
      inFlight: 3,
      width: 320,
      height: 240,
    });
    expect(run.peakRunning).toBe(3);
    expect(run.wrong).toEqual([]);
    // Apart, so a device lost under the run (every frame after it fails) is told from wrong
    // pixels: CI once had frames 8–149 counted wrong here, failures and mismatches together.
    expect(run.failed).toEqual([]);
  });
});
