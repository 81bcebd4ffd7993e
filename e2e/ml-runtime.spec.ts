import { expect, test } from '@playwright/test';
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TriadPage } from './pages/triad-page';
import { api } from './support/api';

const MODELS = fileURLToPath(new URL('../public/models/', import.meta.url));

/** The reference: onnxruntime-node on the same input. */
async function reference(model: string, input: number[], dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(`${MODELS}${model}/model.onnx`);
  const out = await session.run({
    input: new ort.Tensor('float32', Float32Array.from(input), dims),
  });
  const data = out.output.data as Float32Array;
  await session.release();
  return data;
}

function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] > 0.5;
    const y = b[i] > 0.5;
    if (x && y) both++;
    if (x || y) either++;
  }
  return both / either;
}

function psnr(a: ArrayLike<number>, b: ArrayLike<number>, peak: number): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return 10 * Math.log10((peak * peak) / (se / a.length));
}

test.describe('ML targets in the browser', () => {
  let app: TriadPage;

  test.beforeEach(async ({ page }) => {
    app = new TriadPage(page);
    await app.goto();
  });

  test('each target says whether it can run here, and WebNN says why not', async ({ page }) => {
    const targets = await api(page).mlAvailability();
    expect(targets['ort-wasm'].available).toBe(true);
    expect(targets['ort-wasm'].detail).toMatch(/threads/); // cross-origin isolated
    expect(targets['ort-webgpu'].available).toBe(true);
    expect(targets['tfjs-webgpu'].available).toBe(true);
    expect(targets['ort-webnn'].available).toBe(false);
    expect(targets['ort-webnn'].detail).toMatch(/WebNN|navigator\.ml/);
  });

  test('a missing or corrupt model file is a clear error, and the page carries on', async ({
    page,
  }) => {
    const missing = await page.evaluate(() =>
      window.__triad.mlLoad('/models/nope/model.onnx', 'ort-wasm'),
    );
    expect(missing).toMatch(/^model \/models\/nope\/model\.onnx: not found/);
    const bytes = readFileSync(`${MODELS}selfie-segmentation/model.onnx`);
    await page.route('**/corrupt.onnx', (route) =>
      route.fulfill({ body: bytes.subarray(0, bytes.length / 3) }),
    );
    const corrupt = await api(page).mlLoad('/corrupt.onnx', 'ort-wasm');
    expect(corrupt).toMatch(/could not be loaded on ort-wasm \(corrupt or unsupported file\)/);
    // The app still works.
    expect(await app.status()).toBe('ready');
    await app.addEffect('invert', 'invert');
    expect(await app.effectOrder()).toEqual(['invert']);
  });

  for (const target of ['ort-wasm', 'ort-webgpu', 'tfjs-webgpu'] as const) {
    test(`${target}: selfie segmentation agrees with onnxruntime-node (IoU ≥ 0.98, PSNR ≥ 40 dB)`, async ({
      page,
    }) => {
      const result = await page.evaluate(
        (target) =>
          window.__triad.mlRun({
            model: 'selfie-segmentation',
            target,
            imageUrl: '/__fixtures/astronaut-256.png',
            size: [256, 256],
            scale: 1 / 255,
          }),
        target,
      );
      expect(result.dims).toEqual([1, 256, 256, 1]);
      expect((await api(page).counters())!.errors, 'GPU errors').toBe(0);
      expect(result.firstRunMs).toBeGreaterThan(0);
      const expected = await reference('selfie-segmentation', result.input, [1, 256, 256, 3]);
      expect(iou(result.output, expected)).toBeGreaterThanOrEqual(0.98);
      expect(psnr(result.output, expected, 1)).toBeGreaterThanOrEqual(40);
    });

    test(`${target}: ESRGAN-slim ×2 agrees with onnxruntime-node (PSNR ≥ 40 dB)`, async ({
      page,
    }) => {
      const result = await page.evaluate(
        (target) =>
          window.__triad.mlRun({
            model: 'esrgan-slim-x2',
            target,
            imageUrl: '/__fixtures/chelsea.png',
            size: [48, 32],
            scale: 1,
          }),
        target,
      );
      expect(result.dims).toEqual([1, 64, 96, 3]);
      const expected = await reference('esrgan-slim-x2', result.input, [1, 32, 48, 3]);
      expect(psnr(result.output, expected, 255)).toBeGreaterThanOrEqual(40);
    });
  }
});

test('the app server sends models as application/octet-stream (Vite knows no type for .onnx), and a missing one as the page', async ({
  request,
}) => {
  // Playwright asks for gzip, as browsers do: the compressed answer is the one to check.
  const model = await request.get('/models/esrgan-slim-x2/model.onnx');
  expect(model.status()).toBe(200);
  expect(model.headers()['content-type']).toBe('application/octet-stream');
  const missing = await request.get('/models/no-such-model.onnx');
  expect(missing.headers()['content-type']).toMatch(/^text\/html/);
});
