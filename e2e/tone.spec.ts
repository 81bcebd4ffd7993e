import { expect, test, type Locator } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { api } from './support/api';

/** Levels and Curves in the UI: the source histogram under them, Auto, points edited by hand. */
test.describe('Levels and Curves', () => {
  let app: TriadPage;

  test.beforeEach(async ({ page }) => {
    app = new TriadPage(page);
    await app.goto();
  });

  /** Four flat vertical bands whose edges fall on the 2:1 histogram copy's pixel boundaries. */
  async function openBands(colours = ['#304050', '#607080', '#90a0b0', '#c0b0a0']) {
    await app.dropImage('bands.png', await app.paintedImage(512, 128, colours, 'image/png'));
    await app.expectImage('bands.png');
  }

  async function expectMatchesCpu() {
    const result = await app.expectCanvasMatchesCpu();
    expect(result.gpuErrors).toBe(0);
  }

  test('Levels draws the source histogram; Auto stretches each channel from it, once per frame', async ({
    page,
  }) => {
    await openBands();
    await app.addEffect('levels', 'levels');
    const auto = page.getByTestId('levels.auto');
    await expect(auto, 'enabled once the histogram is counted').toBeEnabled();
    await expect(page.getByTestId('levels.histogram').locator('path')).toHaveAttribute('d', /^M0,/);
    // The same frame again: its histogram is not read back a second time.
    expect(await api(page).renderNow()).toMatchObject({ readbacks: 0 });

    await auto.click();
    const { data } = await api(page).sourcePixels();
    const range = (c: number) => {
      const values = data.filter((_, i) => i % 4 === c);
      return [Math.min(...values), Math.max(...values)];
    };
    const levels = (await app.chain()).stages[0].params.levels as Record<
      string,
      { inBlack: number; inWhite: number }
    >;
    for (const [c, channel] of ['r', 'g', 'b'].entries())
      expect([levels[channel].inBlack, levels[channel].inWhite], channel).toEqual(range(c));
    expect(levels.master).toMatchObject({ inBlack: 0, inWhite: 255 });
    await expectMatchesCpu();

    // One undo step takes Auto back.
    await page.getByTestId('app.undo').click();
    expect(((await app.chain()).stages[0].params.levels as typeof levels).r.inBlack).toBe(0);
  });

  test('Levels per channel: the sliders of the chosen channel change only it', async () => {
    await app.dropImage('chelsea.png');
    await app.addEffect('levels', 'levels');
    await app.stage(0).locator('[data-testid="tone.channel"][data-channel="g"]').click();
    await app.setNumber(0, 'Gamma', 1.8);
    await app.setNumber(0, 'Output black', 40);
    const levels = (await app.chain()).stages[0].params.levels as Record<string, object>;
    expect(levels.g).toEqual({ inBlack: 0, inWhite: 255, gamma: 1.8, outBlack: 40, outWhite: 255 });
    expect(levels.master).toEqual(levels.r);
    await app.actualSize();
    await expectMatchesCpu();
  });

  async function graphPoint(graph: Locator, input: number, output: number) {
    const box = (await graph.boundingBox())!;
    return {
      x: box.x + (input / 255) * box.width,
      y: box.y + (1 - output / 255) * box.height,
    };
  }

  test('Curves: a point added and dragged with the mouse, moved and removed from the keyboard', async ({
    page,
  }) => {
    await app.dropImage('chelsea.png');
    await app.addEffect('curves', 'curves');
    await app.actualSize();
    const graph = page.getByTestId('curves.graph');
    await expect(graph.getByTestId('curves.histogram')).toHaveAttribute('d', /^M0,/);
    const curve = async () =>
      ((await app.chain()).stages[0].params.curves as Record<string, number[][]>).master;

    // Click at (128, 128) on the diagonal, drag up to (128, 190).
    const from = await graphPoint(graph, 128, 128);
    const to = await graphPoint(graph, 128, 190);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 4 });
    await page.mouse.up();
    const added = await curve();
    expect(added).toHaveLength(3);
    expect(Math.abs(added[1][0] - 128)).toBeLessThanOrEqual(2);
    expect(Math.abs(added[1][1] - 190)).toBeLessThanOrEqual(2);
    await expect(page.getByTestId('curves.readout')).toHaveText(
      `Input ${added[1][0]} → output ${added[1][1]}`,
    );
    await expectMatchesCpu();

    // The keyboard: Shift+↓ lowers the focused point by 10, Delete removes it.
    const point = graph.getByTestId('curves.point').nth(1);
    await point.focus();
    await point.press('Shift+ArrowDown');
    expect((await curve())[1]).toEqual([added[1][0], added[1][1] - 10]);
    await point.press('Delete');
    expect(await curve()).toEqual([
      [0, 0],
      [255, 255],
    ]);
    // "Add point" puts one on the curve, half way across the widest gap.
    await page.getByTestId('curves.add').click();
    expect(await curve()).toEqual([
      [0, 0],
      [128, 128],
      [255, 255],
    ]);
    // Each gesture was one undo step: back to the removed point, then to before the key press.
    await page.getByTestId('app.undo').click();
    await page.getByTestId('app.undo').click();
    expect((await curve())[1]).toEqual([added[1][0], added[1][1] - 10]);
  });

  test('a per-channel curve travels in a shared link', async ({ page, browser }) => {
    await app.dropImage('chelsea.png');
    await app.addEffect('curves', 'curves');
    await app.stage(0).locator('[data-testid="tone.channel"][data-channel="b"]').click();
    const graph = page.getByTestId('curves.graph');
    const at = await graphPoint(graph, 64, 160);
    await page.mouse.click(at.x, at.y);
    const sent = (await app.chain()).stages[0].params.curves as Record<string, number[][]>;
    expect(sent.b).toHaveLength(3);
    const link = page.url();
    expect(link).toContain('#chain=');
    const other = await browser.newContext();
    try {
      const shared = new TriadPage(await other.newPage());
      await shared.page.goto(link);
      await api(shared.page).ready();
      expect((await shared.chain()).stages[0].params.curves).toEqual(sent);
    } finally {
      await other.close();
    }
  });

  test('the chroma key colour is picked from the picture, and Escape disarms the picker', async ({
    page,
  }) => {
    await openBands(['#d03020', '#20a040', '#2050d0', '#e0d020']);
    await app.addEffect('chroma', 'chroma-key');
    await app.actualSize();
    const pick = page.getByTestId('stage.pick-colour');
    const canvas = page.getByTestId('viewer.canvas');

    await pick.click();
    await expect(page.getByTestId('viewer.picking')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(pick).toHaveAttribute('aria-pressed', 'false');

    // At 100% the 512×128 picture sits centred: its third band (blue) is right of centre.
    await pick.click();
    const box = (await canvas.boundingBox())!;
    await canvas.click({ position: { x: box.width / 2 + 64, y: box.height / 2 } });
    await expect(pick).toHaveAttribute('aria-pressed', 'false');
    // The pick reads the source back first.
    await expect.poll(async () => (await app.chain()).stages[0].params.key).toBe('#2050d0');
    // That band is keyed out (transparent); the others stay opaque.
    const { width, data } = await api(page).renderResult();
    const alphaAt = (x: number) => data[(64 * width + x) * 4 + 3];
    expect([64, 192, 320, 448].map(alphaAt)).toEqual([255, 255, 0, 255]);
  });
});
