// The triad command writes the pixels the app saves: the same chain (the app's own link) on the
// shared photos, saved from the app with "Export PNG" and written by `triad apply` on Dawn in
// Node, decoded and compared within the GPU/CPU parity tolerance.
import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { TriadPage } from './pages/triad-page';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PHOTOS = ['washington.jpg', 'chelsea.png', 'astronaut-256.png'];
/** Per channel, as parity.spec allows the non-per-pixel effects. */
const TOLERANCE = 2;

async function rgba(bytes: Buffer) {
  const { data, info } = await sharp(bytes)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

test('triad apply writes the pixels the app exports, for the same link, on the shared photos', async ({
  page,
}) => {
  test.skip(
    test.info().project.name !== 'lavapipe',
    'the command runs on Dawn whatever the browser adapter',
  );
  test.setTimeout(180_000);
  const app = new TriadPage(page);
  await app.goto();
  await app.dropImage('chelsea.png');
  await app.expectImage('chelsea.png');
  await app.addEffect('colour', 'colour-adjust');
  await app.setNumber(0, 'Hue', 60);
  await app.addEffect('blur', 'gaussian-blur');
  await app.addEffect('vign', 'vignette');
  await app.addEffect('grain', 'film-grain');
  // The link the app's "Copy link" gives: the chain is in the page's address.
  await expect.poll(() => page.url()).toContain('#chain=');
  const link = page.url();

  const out = mkdtempSync(join(tmpdir(), 'triad-parity-'));
  try {
    const run = spawnSync(
      process.execPath,
      [
        'bin/triad.mjs',
        'apply',
        '--chain',
        link,
        '--out',
        out,
        '--format',
        'png',
        ...PHOTOS.map((p) => join(ROOT, 'e2e/fixtures', p)),
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);

    for (const photo of PHOTOS) {
      await app.dropImage(photo);
      await app.expectImage(photo);
      const download = page.waitForEvent('download');
      await page.getByTestId('app.export').click();
      const saved = await rgba(readFileSync(await (await download).path()));
      const written = await rgba(readFileSync(join(out, photo.replace(/\.\w+$/, '.png'))));
      expect([written.width, written.height], photo).toEqual([saved.width, saved.height]);
      let over = 0;
      let max = 0;
      for (let i = 0; i < saved.data.length; i++) {
        const d = Math.abs(saved.data[i] - written.data[i]);
        max = Math.max(max, d);
        if (d > TOLERANCE) over++;
      }
      expect(over, `${photo}: ${over} channels over ${TOLERANCE}/255 (largest ${max})`).toBe(0);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
