import { expect, test } from '@playwright/test';
import * as ort from 'onnxruntime-node';
import { fileURLToPath } from 'node:url';
import { TriadPage } from './pages/triad-page';

const MODELS = fileURLToPath(new URL('../public/models/', import.meta.url));

/** onnxruntime-node's person mask for the source pixels (256×256, normalized to [0, 1]). */
async function referenceMask(source: {
  width: number;
  height: number;
  data: number[];
}): Promise<Float32Array> {
  const input = new Float32Array(source.width * source.height * 3);
  for (let i = 0; i < source.width * source.height; i++)
    for (let c = 0; c < 3; c++) input[i * 3 + c] = source.data[i * 4 + c] / 255;
  const session = await ort.InferenceSession.create(`${MODELS}selfie-segmentation/model.onnx`);
  const out = await session.run({ input: new ort.Tensor('float32', input, [1, 256, 256, 3]) });
  const mask = out.output.data as Float32Array;
  await session.release();
  return mask;
}

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
    const frame = (await page.evaluate(() => window.__triad.renderNow()))!;
    expect(frame.ran[0]).toMatchObject({ target: 'ort-wasm' });
    expect(frame.ran[0].skipped).toBeUndefined();
    const result = await page.evaluate(() => window.__triad.renderResult());
    const reference = await referenceMask(await page.evaluate(() => window.__triad.sourcePixels()));
    let both = 0;
    let either = 0;
    for (let i = 0; i < reference.length; i++) {
      const a = result.data[i * 4] > 127;
      const b = reference[i] > 0.5;
      if (a && b) both++;
      if (a || b) either++;
    }
    expect(either / reference.length).toBeGreaterThan(0.1);
    expect(both / either).toBeGreaterThanOrEqual(0.98);
    await expect(app.stage(0).getByTestId('stage.ran-on')).toHaveText('ORT-WASM');
  });

  test('Background blur keeps the person sharp and blurs the rest; removing it releases the model', async ({
    page,
  }) => {
    await app.addEffect('background', 'background-blur');
    await app.setNumber(0, 'Blur radius', 16);
    const source = await page.evaluate(() => window.__triad.sourcePixels());
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
    expect(await page.evaluate(() => window.__triad.mlModelsLoaded())).toBe(1);

    await app.stage(0).getByTestId('stage.remove').click();
    await page.evaluate(() => window.__triad.renderNow());
    expect(await page.evaluate(() => window.__triad.mlModelsLoaded())).toBe(0);
  });

  test('a missing model: the AI stage is skipped with a clear error, the rest of the chain runs', async ({
    page,
  }) => {
    await page.route('**/models/selfie-segmentation/model.onnx', (route) =>
      route.fulfill({ status: 404 }),
    );
    await app.addEffect('mask', 'show-mask');
    await app.addEffect('invert', 'invert');
    const frame = (await page.evaluate(() => window.__triad.renderNow()))!;
    expect(frame.ran[0]).toMatchObject({ skipped: true });
    expect(frame.ran[1]).toMatchObject({ target: 'gpu' });
    await expect(app.notices.filter({ hasText: 'AI effect unavailable' })).toContainText(
      'not found',
    );
    expect(await app.status()).toBe('ready');
  });
});
