import { expect, test } from '@playwright/test';
import { TriadPage, fixture } from './pages/triad-page';
import { api } from './support/api';

/** Bad input gets a clear error naming the file and the reason, and nothing already open is lost. */
test.describe('bad input', () => {
  let app: TriadPage;

  test.beforeEach(async ({ page }) => {
    app = new TriadPage(page);
    await app.gotoWithImage('chelsea.png');
    await app.addEffect('invert', 'invert');
  });

  async function expectStillShowingChelsea() {
    await app.expectImage('chelsea.png · 451×300');
    await app.actualSize();
    const result = await app.compareCanvasWithCpu();
    expect(result.compared).toBeGreaterThan(400 * 280);
    expect(result.over).toBe(0);
    expect(await app.effectOrder()).toEqual(['invert']);
  }

  test('a corrupt image: error names the file, the previous image stays', async () => {
    const png = fixture('chelsea.png');
    const corrupt = Buffer.concat([png.subarray(0, 8), Buffer.alloc(4000, 0x5a)]);
    await app.dropImage('broken.png', corrupt);
    const error = app.notices.filter({ hasText: 'broken.png' });
    await expect(error).toHaveAttribute('data-kind', 'error');
    await expect(error).toContainText('corrupt or truncated');
    await expectStillShowingChelsea();
  });

  test('a truncated image gets an error and the previous image stays', async () => {
    const png = fixture('chelsea.png');
    await app.dropImage('cut.png', png.subarray(0, 2000));
    const error = app.notices.filter({ hasText: 'cut.png' });
    await expect(error).toContainText('corrupt or truncated');
    await expectStillShowingChelsea();
  });

  test('a 0-byte file', async ({ page }) => {
    await app.pickFiles([{ name: 'empty.jpg', buffer: Buffer.alloc(0), mimeType: 'image/jpeg' }]);
    await expect(app.notices.filter({ hasText: 'empty.jpg' })).toContainText('empty (0 bytes)');
    await expectStillShowingChelsea();
    await page.getByTestId('notice.dismiss').first().click();
    await expect(app.notices).toHaveCount(0);
  });

  test('a file that is not an image', async () => {
    await app.dropFiles([
      { name: 'notes.png', bytes: Buffer.from('these are not pixels\n'.repeat(20)) },
    ]);
    await expect(app.notices.filter({ hasText: 'notes.png' })).toContainText(
      'not a supported image',
    );
    await expectStillShowingChelsea();
  });

  test('a malformed LUT names the line and the problem, and changes nothing', async () => {
    const cube = ['TITLE "bad"', 'LUT_3D_SIZE 2', '0 0 0', '1 0 0', '0 1 zero', '1 1 0'].join('\n');
    await app.dropFiles([{ name: 'bad.cube', bytes: Buffer.from(cube) }]);
    const error = app.notices.filter({ hasText: 'bad.cube' });
    await expect(error).toHaveAttribute('data-kind', 'error');
    await expect(error).toContainText('line 5: "zero" is not a number');
    await expectStillShowingChelsea();
  });

  test('a LUT dropped on a LUT stage loads into that stage', async () => {
    await app.addEffect('lut', 'lut-3d');
    await app.addEffect('lut', 'lut-3d');
    const rows = ['LUT_3D_SIZE 2'];
    for (let i = 0; i < 8; i++) rows.push(`${i & 1} ${(i >> 1) & 1} ${(i >> 2) & 1}`);
    await app.dropFiles(
      [{ name: 'identity.cube', bytes: Buffer.from(rows.join('\n')) }],
      app.stage(2),
    );
    await expect(app.stage(2).getByTestId('stage.lut-name')).toHaveText('identity.cube');
    await expect(app.stage(1).getByTestId('stage.lut-name')).toContainText('No LUT');
  });

  test('an image larger than the GPU allows is scaled down with a notice', async ({ page }) => {
    const limit = (await api(page).state()).adapter!.maxTextureDimension2D;
    await app.dropImage('wide.png', await app.paintedImage(limit + 256, 8, ['#3a7'], 'image/png'));
    const notice = app.notices.filter({ hasText: 'wide.png' });
    await expect(notice).toHaveAttribute('data-kind', 'warning');
    await expect(notice).toContainText(`${limit + 256}×8`);
    await expect(notice).toContainText(`${limit} px texture limit`);
    await app.expectImage(`wide.png · ${limit}×`);
    expect((await api(page).counters())!.errors).toBe(0);
  });
});

test('EXIF orientation is honoured', async ({ page }) => {
  const app = new TriadPage(page);
  await app.goto();
  // A 40×20 JPEG, red on the left and blue on the right...
  const jpeg = await app.paintedImage(40, 20, ['#f00', '#00f'], 'image/jpeg');
  // ...tagged with EXIF orientation 6 ("rotate 90° clockwise to display").
  const tiff = Buffer.from([
    0x4d,
    0x4d,
    0x00,
    0x2a,
    0x00,
    0x00,
    0x00,
    0x08, // big-endian TIFF header, IFD at 8
    0x00,
    0x01, // one entry
    0x01,
    0x12,
    0x00,
    0x03,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    0x06,
    0x00,
    0x00, // Orientation = 6
    0x00,
    0x00,
    0x00,
    0x00, // no next IFD
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.concat([
    Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]),
    payload,
  ]);
  const bytes = Buffer.from(jpeg);
  const tagged = Buffer.concat([bytes.subarray(0, 2), app1, bytes.subarray(2)]);
  await app.dropImage('rotated.jpg', tagged);
  await app.expectImage('rotated.jpg · 20×40');
  const px = await page.evaluate(async () => {
    const { width, data } = await window.__triad.sourcePixels();
    const at = (x: number, y: number) => data.slice((y * width + x) * 4, (y * width + x) * 4 + 3);
    return { top: at(10, 5), bottom: at(10, 35) };
  });
  // Rotated clockwise, the left (red) half is now on top.
  expect(px.top[0]).toBeGreaterThan(200);
  expect(px.top[2]).toBeLessThan(60);
  expect(px.bottom[2]).toBeGreaterThan(200);
  expect(px.bottom[0]).toBeLessThan(60);
});

test('without WebGPU the page says so and how to get it, and stays usable', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  const app = new TriadPage(page);
  await app.goto();
  expect(await app.status()).toBe('unavailable');
  const panel = page.getByTestId('gpu.unavailable');
  await expect(panel).toContainText('WebGPU is not available');
  await expect(panel).toContainText('navigator.gpu');
  await expect(panel).toContainText('chrome://flags/#enable-unsafe-webgpu');
  await app.addEffect('vign', 'vignette');
  expect(await app.effectOrder()).toEqual(['vignette']);
  await expect(page.getByTestId('app.export')).toBeDisabled();
});

test.describe('image formats', () => {
  test('WebP opens', async ({ page }) => {
    const app = new TriadPage(page);
    await app.goto();
    await app.dropImage('green.webp', await app.paintedImage(30, 20, ['#0c0'], 'image/webp'));
    await app.expectImage('green.webp · 30×20');
    const { data } = await api(page).sourcePixels();
    expect(data[1]).toBeGreaterThan(180);
    expect(data[0]).toBeLessThan(40);
  });

  test('an animated GIF opens at its first frame', async ({ page }) => {
    const app = new TriadPage(page);
    await app.goto();
    // Two 1×1 frames, each drawing colour index 0 from its own local colour table: red, then blue.
    const frame = (rgb: number[]) => [
      0x21,
      0xf9,
      0x04,
      0x00,
      0x0a,
      0x00,
      0x00,
      0x00, // graphic control: 100 ms delay
      0x2c,
      0,
      0,
      0,
      0,
      1,
      0,
      1,
      0,
      0x80, // image descriptor, local colour table of 2 entries
      ...rgb,
      0,
      0,
      0,
      0x02,
      0x02,
      0x44,
      0x01,
      0x00, // LZW: clear, index 0, end
    ];
    const gif = Uint8Array.from([
      ...Buffer.from('GIF89a', 'latin1'),
      1,
      0,
      1,
      0,
      0x00,
      0,
      0, // 1×1, no global table
      ...frame([255, 0, 0]),
      ...frame([0, 0, 255]),
      0x3b,
    ]);
    await app.dropImage('blink.gif', gif);
    await app.expectImage('blink.gif · 1×1');
    const { data } = await api(page).sourcePixels();
    expect(data.slice(0, 3)).toEqual([255, 0, 0]);
  });
});

test.describe('notices', () => {
  test('the same failure again is one card with a count; the detail is behind "Details"; cards stay off the viewer’s centre; the header’s log keeps them all', async ({
    page,
  }) => {
    const app = new TriadPage(page);
    await app.gotoWithImage('chelsea.png');
    const png = fixture('chelsea.png');
    const corrupt = Buffer.concat([png.subarray(0, 8), Buffer.alloc(4000, 0x5a)]);
    for (let i = 0; i < 3; i++) {
      await app.dropImage('broken.png', corrupt);
      await expect(app.notices.first()).toHaveAttribute('data-count', String(i + 1));
    }
    const broken = app.notices.filter({ hasText: 'broken.png' });
    await expect(broken).toHaveCount(1);
    await expect(broken.getByTestId('notice.count')).toHaveText('3 times');

    // A device loss: one plain sentence, the browser's own words behind "Details".
    await api(page).loseDevice();
    const lost = app.notices.filter({ hasText: 'GPU device lost' });
    await expect(lost.getByTestId('notice.message')).toContainText('starting it again');
    const detail = lost.getByTestId('notice.detail');
    await expect(detail).toBeHidden();
    await lost.getByText('Details').click();
    await expect(detail).toBeVisible();
    await expect(detail).not.toBeEmpty();

    // No card reaches the middle of the viewer.
    const viewer = (await page.getByTestId('viewer.canvas').boundingBox())!;
    for (const card of await app.notices.all()) {
      const box = (await card.boundingBox())!;
      expect(box.x).toBeGreaterThan(viewer.x + viewer.width / 2);
    }

    // Dismissed, they are still in the log, newest first; the header says how many are new.
    await expect(page.getByTestId('notices.unseen')).toHaveText('4');
    while ((await app.notices.count()) > 0)
      await app.notices.first().getByTestId('notice.dismiss').click();
    await expect(app.notices).toHaveCount(0);
    await page.getByTestId('notices.toggle').click();
    const entries = page.getByTestId('notices.entry');
    await expect(entries).toHaveCount(2);
    await expect(entries.first()).toContainText('GPU device lost');
    await expect(entries.nth(1)).toContainText('3 times');
    await expect(page.getByTestId('notices.unseen')).toHaveCount(0);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('notices.log')).toHaveCount(0);
  });
});
