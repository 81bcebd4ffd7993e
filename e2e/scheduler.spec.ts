import { expect, test } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { api } from './support/api';

test('Auto measures GPU and CPU, places every stage, and frames come out in order', async ({
  page,
}) => {
  const app = new TriadPage(page);
  await app.gotoWithImage('chelsea.png');
  await app.addEffect('colour', 'colour-adjust');
  await app.addEffect('blur', 'gaussian-blur');
  await app.addEffect('vign', 'vignette');
  await app.actualSize();
  await page.getByTestId('chain.placement').selectOption('auto');
  // The scheduler places stages now: no per-stage pin to choose.
  await expect(app.stage(0).getByTestId('stage.target')).toHaveCount(0);

  const frames = await page.evaluate(async () => {
    // The switch to Auto asked for a frame of the app's own: let it run first.
    await window.__triad.settle();
    const out: { sequence: number; device: number; targets: string[] }[] = [];
    for (let i = 0; i < 40; i++) {
      // Frame by frame, as the display loop does: GPU timings arrive between frames.
      await new Promise(requestAnimationFrame);
      const stats = (await window.__triad.renderNow())!;
      const device = window.__triad.state().deviceGeneration;
      out.push({ sequence: stats.sequence, device, targets: stats.ran.map((r) => r.target) });
    }
    return out;
  });
  // In order: each frame is the next one its engine ran. Where the GL backend's memory check
  // found pixels nothing drew (now and then on lavapipe), the app went on with a new device and
  // engine, whose numbering starts again, and drew the image anew itself (a number of its own).
  for (let i = 1; i < frames.length; i++) {
    const [before, frame] = [frames[i - 1], frames[i]];
    if (frame.device !== before.device) expect(frame.sequence, `frame ${i}`).toBeLessThanOrEqual(2);
    else if (i > 1 && before.device !== frames[i - 2].device)
      expect(frame.sequence, `frame ${i}`).toBeLessThanOrEqual(before.sequence + 2);
    else expect(frame.sequence, `frame ${i}`).toBe(before.sequence + 1);
  }
  // Calibration ran every stage on both targets before the plan was made.
  for (let s = 0; s < 3; s++) {
    const used = new Set(frames.map((f) => f.targets[s]));
    expect(used, `stage ${s}`).toEqual(new Set(['gpu', 'cpu']));
  }
  const placement = await api(page).placement();
  expect(placement.mode).toBe('auto');
  expect(placement.plan).not.toBeNull();
  expect(placement.plan!.stages).toHaveLength(3);
  expect(placement.predictions!['gpu-only']!.fps).toBeGreaterThan(0);
  // Whatever it chose, the picture is right, and each card says where its stage ran.
  await app.expectCanvasMatchesCpu();
  await expect(app.stage(1).getByTestId('stage.ran-on')).toHaveText(/GPU|CPU/);

  // Back to manual: the stages run where they are pinned again.
  await page.getByTestId('chain.placement').selectOption('manual');
  const manual = await page.evaluate(async () =>
    (await window.__triad.renderNow())!.ran.map((r) => r.target),
  );
  expect(manual).toEqual(['gpu', 'gpu', 'gpu']);
});

test('a CPU stage whose workers fail runs on the GPU instead: the frame is not lost', async ({
  page,
}) => {
  const app = new TriadPage(page);
  await app.gotoWithImage('chelsea.png');
  await app.addEffect('sobel', 'sobel');
  await app.stage(0).getByTestId('stage.target').selectOption('cpu');
  await app.actualSize();
  expect((await api(page).renderNow())!.ran[0].target).toBe('cpu');

  await api(page).breakCpuPool();
  const frame = (await api(page).renderNow())!;
  expect(frame.ran[0]).toMatchObject({ target: 'gpu', failedOver: true });
  await expect(app.notices.filter({ hasText: 'ran on the GPU instead' })).toBeVisible();
  await app.expectCanvasMatchesCpu();

  // Resizing the pool brings fresh workers: the stage runs on the CPU again.
  await app.setWorkers(2);
  expect((await api(page).renderNow())!.ran[0]).toEqual({
    stage: expect.any(String),
    target: 'cpu',
  });
});
