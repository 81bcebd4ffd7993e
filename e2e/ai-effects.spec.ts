import { expect, test } from '@playwright/test';
import { planTiles, SR_OVERLAP, SR_TILE } from '../src/ml/tiling';
import { fixture, TriadPage } from './pages/triad-page';
import { maskIoU, psnr, referenceMask, referenceUpscale } from './support/reference-models';
import { api } from './support/api';

test.describe('AI effects', () => {
  let app: TriadPage;

  test.beforeEach(async ({ page }) => {
    app = new TriadPage(page);
    await app.gotoWithImage('astronaut-256.png');
  });

  test('Show mask draws the segmentation model’s person mask, as onnxruntime-node computes it', async ({
    page,
  }) => {
    await app.addEffect('mask', 'show-mask');
    const frame = (await api(page).renderNow())!;
    expect(frame.ran[0]).toMatchObject({ target: 'ort-wasm' });
    expect(frame.ran[0].skipped).toBeUndefined();
    const result = await api(page).renderResult();
    const reference = await referenceMask(await api(page).sourcePixels());
    const { iou, coverage } = maskIoU(result, reference);
    expect(coverage).toBeGreaterThan(0.1);
    expect(iou).toBeGreaterThanOrEqual(0.98);
    await expect(app.stage(0).getByTestId('stage.target')).toHaveValue('ort-wasm');
  });

  test('Background blur keeps the person sharp and blurs the rest; removing it releases the model', async ({
    page,
  }) => {
    await app.addEffect('background', 'background-blur');
    await app.setNumber(0, 'Blur radius', 16);
    const source = await api(page).sourcePixels();
    // A displayed frame and an export at once: one model session, two inferences, both done.
    const [frame, result] = await page.evaluate(() =>
      Promise.all([window.__triad.renderNow(), window.__triad.renderResult()]),
    );
    expect(frame!.ran[0].skipped).toBeUndefined();
    const mask = await referenceMask(source);
    const diff = (where: (m: number) => boolean) => {
      let sum = 0;
      let n = 0;
      for (let i = 0; i < mask.length; i++) {
        if (!where(mask[i])) continue;
        for (let c = 0; c < 3; c++)
          sum += Math.abs(result.data[i * 4 + c] - source.data[i * 4 + c]);
        n += 3;
      }
      return sum / n;
    };
    expect(diff((m) => m > 0.99)).toBeLessThan(1); // the person is untouched
    expect(diff((m) => m < 0.01)).toBeGreaterThan(3); // the background is blurred
    expect(await api(page).mlModelsLoaded()).toBe(1);

    await app.stage(0).getByTestId('stage.remove').click();
    await api(page).renderNow();
    expect(await api(page).mlModelsLoaded()).toBe(0);
  });

  test('a missing model: the AI stage is skipped with a clear error, the rest of the chain runs', async ({
    page,
  }) => {
    // Every target's copy of the model is missing (ONNX and the tfjs original).
    await page.route('**/models/selfie-segmentation/**', (route) => route.fulfill({ status: 404 }));
    await app.addEffect('mask', 'show-mask');
    await app.addEffect('invert', 'invert');
    const frame = (await api(page).renderNow())!;
    expect(frame.ran[0]).toMatchObject({ skipped: true });
    expect(frame.ran[1]).toMatchObject({ target: 'gpu' });
    await expect(app.notices.filter({ hasText: 'AI effect unavailable' })).toContainText(
      'not found',
    );
    await expect(app.stage(0).getByTestId('stage.skipped')).toContainText('not found');
    expect(await app.status()).toBe('ready');
  });

  test('Background replace puts a colour, or a dropped image, behind the person', async ({
    page,
  }) => {
    await app.addEffect('replace', 'background-replace');
    await app.stage(0).getByTestId('stage.param-color').fill('#ff0000');
    const source = await api(page).sourcePixels();
    const mask = await referenceMask(source);
    let result = await api(page).renderResult();
    const mean = (where: (m: number) => boolean, of: (i: number) => number) => {
      let sum = 0;
      let n = 0;
      for (let i = 0; i < mask.length; i++) {
        if (!where(mask[i])) continue;
        sum += of(i);
        n++;
      }
      return sum / n;
    };
    const person = (m: number) => m > 0.99;
    const backdrop = (m: number) => m < 0.01;
    const sourceDiff = (i: number) =>
      [0, 1, 2].reduce((d, c) => d + Math.abs(result.data[i * 4 + c] - source.data[i * 4 + c]), 0) /
      3;
    expect(mean(person, sourceDiff)).toBeLessThan(1);
    const redDiff = (i: number) =>
      (Math.abs(result.data[i * 4] - 255) + result.data[i * 4 + 1] + result.data[i * 4 + 2]) / 3;
    expect(mean(backdrop, redDiff)).toBeLessThan(1);

    // A dropped image replaces the colour (cover fit), computed the same on both sides.
    await app.dropFiles([{ name: 'chelsea.png', bytes: fixture('chelsea.png') }], app.stage(0));
    await expect(app.stage(0).getByTestId('stage.image-name')).toHaveText('chelsea.png');
    result = await api(page).renderResult();
    expect(mean(backdrop, redDiff)).toBeGreaterThan(30); // no longer red
    expect(mean(person, sourceDiff)).toBeLessThan(1);
    const cpu = await page.evaluate(() =>
      window.__triad.mlRunOnCpu('background-replace', 'ort-wasm', {
        colour: '#ff0000',
        image: window.__triad.state().chain.stages[0].params.image,
      }),
    );
    expect(psnr(result, cpu)).toBeGreaterThan(40);
    expect(await app.status()).toBe('ready');
  });

  test('Super-resolution ×2 doubles the frame, tiled without visible seams, and later stages follow the new size', async ({
    page,
  }) => {
    await app.addEffect('super', 'super-resolution-x2');
    await app.addEffect('invert', 'invert');
    const source = await api(page).sourcePixels();
    const frame = (await api(page).renderNow())!;
    expect(frame.size).toEqual([512, 512]);
    expect(frame.ran.map((r) => r.skipped)).toEqual([undefined, undefined]);
    await expect(page.getByTestId('viewer.image-info')).toContainText('→ 512×512');
    const result = await api(page).renderResult();
    const whole = await referenceUpscale(source, 2);
    const inverted = {
      ...whole,
      data: whole.data.map((v, i) => (i % 4 === 3 ? v : 255 - v)),
    };
    // The tiles' seams, in output pixels: every core boundary inside the image.
    const tiles = planTiles(source.width, source.height, SR_TILE, SR_OVERLAP);
    expect(tiles.length).toBeGreaterThan(1);
    const seamsX = new Set(tiles.map((t) => t.core.x * 2).filter((x) => x > 0));
    const seamsY = new Set(tiles.map((t) => t.core.y * 2).filter((y) => y > 0));
    const nearSeam = (x: number, y: number) =>
      [...seamsX].some((s) => Math.abs(x - s) <= 2) ||
      [...seamsY].some((s) => Math.abs(y - s) <= 2);
    expect(psnr(result, inverted)).toBeGreaterThan(45);
    expect(psnr(result, inverted, nearSeam)).toBeGreaterThan(45);
  });

  test('Super-resolution refuses a frame too large for it with a clear error; the rest runs', async ({
    page,
  }) => {
    await api(page).setSyntheticImage(2000, 1200);
    await app.addEffect('super', 'super-resolution-x4');
    await app.addEffect('invert', 'invert');
    const frame = (await api(page).renderNow())!;
    expect(frame.ran[0]).toMatchObject({ skipped: true });
    expect(frame.ran[1]).toMatchObject({ target: 'gpu' });
    expect(frame.size).toEqual([2000, 1200]);
    await expect(app.notices.filter({ hasText: 'AI effect unavailable' })).toContainText(
      'up to 1920×1080',
    );
    expect(await app.status()).toBe('ready');
  });
});
