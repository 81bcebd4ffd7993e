// The AI effects' before/after pictures for docs/EFFECTS.md: they run models (onnxruntime-web on
// the CPU here, as the app does), so they are rendered in the browser, by the test build's own
// engine, on the astronaut fixture (a person: what the segmentation effects look for).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApp } from '../bench/harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SIDE = 128;

/** Effect id → parameters that show it (defaults otherwise). */
const SHOWN = {
  'show-mask': {},
  'background-blur': {},
  'background-replace': {},
  'super-resolution-x2': {},
  'super-resolution-x4': {},
};

const app = await openApp();
try {
  const { page } = app;
  const photo = readFileSync(`${ROOT}e2e/fixtures/astronaut-256.png`);
  await page.evaluate(
    (bytes) => window.__triad.openFile('astronaut.png', bytes, 'image/png'),
    Array.from(photo),
  );
  for (const [effect, params] of Object.entries(SHOWN)) {
    const stages = [{ effect, enabled: true, target: 'ort-wasm', params }];
    await page.evaluate((json) => window.__triad.setChain(json), JSON.stringify({ v: 1, stages }));
    const png = await page.evaluate(async (side) => {
      const [after, before] = [
        await window.__triad.renderResult(),
        await window.__triad.sourcePixels(),
      ];
      const gap = 4;
      const canvas = new OffscreenCanvas(side * 2 + gap, side);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#171a21';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      const draw = async (img, x) => {
        const data = new ImageData(new Uint8ClampedArray(img.data), img.width, img.height);
        ctx.drawImage(await createImageBitmap(data), x, 0, side, side);
      };
      // Super-resolution: the middle quarter of each, so the added detail shows.
      if (after.width !== before.width) {
        const crop = async (img, x) => {
          const data = new ImageData(new Uint8ClampedArray(img.data), img.width, img.height);
          const bitmap = await createImageBitmap(
            data,
            img.width / 4,
            img.height / 4,
            img.width / 2,
            img.height / 2,
          );
          ctx.imageSmoothingEnabled = true;
          ctx.drawImage(bitmap, x, 0, side, side);
        };
        await crop(before, 0);
        await crop(after, side + gap);
      } else {
        await draw(before, 0);
        await draw(after, side + gap);
      }
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      return Array.from(new Uint8Array(await blob.arrayBuffer()));
    }, SIDE);
    writeFileSync(`${ROOT}docs/effects/${effect}.png`, Uint8Array.from(png));
    console.log(`docs/effects/${effect}.png`);
  }
} finally {
  await app.close();
}
