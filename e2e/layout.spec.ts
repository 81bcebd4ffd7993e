import { expect, test, type Page } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { api } from './support/api';

/**
 * The layout at the window sizes people use (issue 17): the header on one line, the viewer keeping
 * 60% of the width beside the panel, nothing cut at an edge, and no black block over the panel
 * while a video plays. Each size is checked with a still and with a playing video.
 */

/** Elements inside `container` that reach past its right edge, or whose text is cut inside them. */
async function cut(page: Page, testIdOrSelector: string) {
  return page.evaluate((selector) => {
    const box = document.querySelector(selector);
    if (!box) throw new Error(`${selector} is not on the page`);
    const edge = box.getBoundingClientRect().right + 1;
    const out: string[] = [];
    if (box.scrollWidth > box.clientWidth + 1) out.push(`${selector} scrolls sideways`);
    for (const el of box.querySelectorAll<HTMLElement>('*')) {
      // Shortened on purpose, with "…" and the whole text in a tooltip.
      const shortened = el.parentElement?.closest<HTMLElement>('[title]');
      if (shortened && getComputedStyle(shortened).textOverflow === 'ellipsis') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const name = `${el.tagName.toLowerCase()} “${(el.textContent ?? '').trim().slice(0, 30)}”`;
      if (r.right > edge)
        out.push(`${name} reaches ${Math.round(r.right - edge)} px past the edge`);
      // Table cells clip nothing: long names wrap (or are shortened with a tooltip).
      if ((el.tagName === 'TD' || el.tagName === 'TH') && el.scrollWidth > el.clientWidth + 1)
        out.push(`${name} is cut`);
    }
    return out;
  }, testIdOrSelector);
}

/** The share of near-black pixels in a screenshot of the panel (the panel itself is dark grey). */
async function blackShare(page: Page): Promise<number> {
  const png = (await page.getByTestId('perf.panel').screenshot()).toString('base64');
  return page.evaluate(async (data) => {
    const blob = await (await fetch(`data:image/png;base64,${data}`)).blob();
    const bitmap = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const px = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let black = 0;
    for (let i = 0; i < px.length; i += 4)
      if (px[i] < 12 && px[i + 1] < 12 && px[i + 2] < 12) black++;
    return black / (px.length / 4);
  }, png);
}

async function expectLaidOut(page: Page, width: number) {
  // Nothing widens the page.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
    width,
  );
  // The header is one line.
  const tops = await page.evaluate(() =>
    [...document.querySelector('header')!.children]
      .map((c) => c.getBoundingClientRect())
      .filter((r) => r.height > 0)
      .map((r) => r.top + r.height / 2),
  );
  expect(Math.max(...tops) - Math.min(...tops)).toBeLessThan(6);
  // The adapter's name, shortened to fit, is there in full on hover.
  const status = page.getByTestId('app.gpu-status');
  expect(await status.getAttribute('title')).toBe((await status.textContent())?.trim());
  // The viewer keeps 60% of the width with the panel open.
  const viewer = (await page.getByTestId('viewer.canvas').boundingBox())!;
  expect(viewer.width).toBeGreaterThanOrEqual(0.6 * width - 1);
  // A stage's sliders keep room to drag in the chain's column.
  for (const slider of await page.getByTestId('stage.param-range').all())
    expect((await slider.boundingBox())!.width).toBeGreaterThanOrEqual(100);
  for (const box of ['header', 'aside', '[data-testid="perf.panel"]'])
    expect(await cut(page, box), box).toEqual([]);
  expect(await blackShare(page)).toBeLessThan(0.005);
}

for (const [width, height] of [
  [1280, 800],
  [1920, 1080],
] as const) {
  test(`at ${width}×${height} the header fits on one line, the viewer keeps 60%, and nothing is cut or blacked out, with a still and with a playing video`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height });
    const app = new TriadPage(page);
    await app.gotoWithImage('chelsea.png');
    await app.addEffect('grain', 'film-grain');
    await api(page).renderNow();
    await expectLaidOut(page, width);

    await app.openClip();
    await api(page).videoPlay();
    await expect.poll(async () => (await api(page).perfState()).live).toBe(true);
    await expect(page.getByTestId('perf.fps')).not.toHaveText('still image');
    await expectLaidOut(page, width);
    expect(await cut(page, '[data-testid="video.controls"]')).toEqual([]);

    // Folded into the strip, the figures stay under the viewer and the viewer takes the room.
    await page.getByTestId('perf.collapse').click();
    await expect(page.getByTestId('perf.panel')).toHaveCount(0);
    await expect(page.getByTestId('perf.strip-fps')).toContainText('fps');
    const viewer = (await page.getByTestId('viewer.canvas').boundingBox())!;
    expect(viewer.width).toBeGreaterThanOrEqual(0.75 * width - 1);
    await page.getByTestId('perf.expand').click();
    await expect(page.getByTestId('perf.panel')).toBeVisible();
    await api(page).videoPause();
  });
}

test('an empty app offers a photo, a clip and the 3D scene in one click, and the scenarios, with what the strategies mean', async ({
  page,
}) => {
  const app = new TriadPage(page);
  await app.goto();
  const first = page.getByTestId('first-run');
  await expect(first).toContainText('Auto');
  // Nothing has been drawn: the panel has no figure to show, not a 0 ms frame.
  await expect(page.getByTestId('perf.fps')).toHaveText('—');
  await expect(page.getByTestId('perf.frame-ms')).toHaveText('—');
  await expect(page.getByTestId('first-run.scenario')).toHaveCount(3);
  // A scenario starts from here (and can be cancelled: it is the panel's own run).
  await page.locator('[data-testid="first-run.scenario"][data-scenario="video-edit"]').click();
  await expect(page.getByTestId('compare.running')).toBeVisible();
  await page.getByTestId('compare.cancel').click();
  await expect(page.getByTestId('compare.running')).toBeHidden();

  const sample = (id: string) =>
    page.locator(`[data-testid="first-run.sample"][data-sample="${id}"]`);
  await app.goto();
  await sample('photo').click();
  await app.expectImage('chelsea.png · 451×300');
  await expect(first).toHaveCount(0);

  await app.goto();
  await sample('clip').click();
  await expect(page.getByTestId('video.controls')).toBeVisible();
  await expect(page.getByTestId('viewer.image-info')).toContainText('oa4_launch.webm');
  expect((await api(page).videoState()).info?.width).toBe(640);

  await app.goto();
  await sample('scene').click();
  await expect(page.getByTestId('viewer.image-info')).toContainText('3D scene');
  await expect.poll(async () => (await api(page).sceneState()).shown).toBeGreaterThan(1);
});
