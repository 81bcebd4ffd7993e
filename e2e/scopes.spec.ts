import { expect, test } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { api } from './support/api';

test('scopes show the processed frame, computed on the workers, and can be hidden', async ({
  page,
}) => {
  const app = new TriadPage(page);
  await app.goto();
  await expect(page.getByTestId('scopes.panel')).toHaveCount(0);
  await page.getByTestId('viewer.scopes').click();
  await expect(page.getByTestId('scopes.panel')).toBeVisible();

  // A pure red image, inverted by the chain: the scopes must describe the result (cyan).
  await app.dropImage('red.png', await app.paintedImage(64, 32, ['#ff0000'], 'image/png'));
  await app.addEffect('invert', 'invert');
  await expect
    .poll(async () => {
      const s = await api(page).scopes();
      return s.histogram[0] === 64 * 32 && s.histogram[256 + 255] === 64 * 32;
    })
    .toBe(true);
  const s = await api(page).scopes();
  expect(s.pixels).toBe(64 * 32);
  expect(s.error).toBeNull();
  // Luma of cyan (0, 255, 255) in Rec. 709: 0.7152·255 + 0.0722·255 = 200.8 → 201.
  expect(s.histogram[3 * 256 + 201]).toBe(64 * 32);

  // The canvases were drawn on (not just the background colour).
  const lit = await page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="scopes.vectorscope"]')!;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let bright = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 1] > 100) bright++;
    return bright;
  });
  expect(lit).toBeGreaterThan(0);

  // Scope readbacks ride along with frames only while the scopes are shown.
  const shown = await api(page).renderNow();
  expect(shown!.readbacks).toBe(1);
  await app.canvas.click(); // leave the effect search field, where 's' is just a letter
  await page.keyboard.press('s');
  await expect(page.getByTestId('scopes.panel')).toHaveCount(0);
  const hidden = await api(page).renderNow();
  expect(hidden!.readbacks).toBe(0);
});
