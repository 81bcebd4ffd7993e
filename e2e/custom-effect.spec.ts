import { expect, test, type Page } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { api } from './support/api';

const INVERT = `/*{ "name": "Negative", "params": { "mix": { "type": "number", "default": 1 } } }*/
struct Params {
  mix: f32,
}

fn effect(colour: vec4f, at: vec2f, size: vec2f) -> vec4f {
  return vec4f(mix(colour.rgb, 1.0 - colour.rgb, params.mix), colour.a);
}
`;

/** A shader whose frame takes long on a software GPU: `work`² steps a pixel. */
const ENDLESS = `/*{ "name": "Endless", "params": { "work": { "type": "number", "min": 0, "max": 100000, "step": 1, "default": 300 } } }*/
struct Params {
  work: f32,
}

fn effect(colour: vec4f, at: vec2f, size: vec2f) -> vec4f {
  var x = colour.r;
  for (var i = 0u; i < u32(params.work); i++) {
    for (var j = 0u; j < u32(params.work); j++) {
      x = fract(x * 1.0001 + 0.37);
    }
  }
  return vec4f(x, colour.g, colour.b, colour.a);
}
`;

/** Custom WGSL effects: the editor, its errors, parameters from the header, links. */
test.describe('custom WGSL effects', () => {
  let app: TriadPage;

  test.beforeEach(async ({ page }) => {
    app = new TriadPage(page);
    await app.goto();
    const colours = ['#204060', '#806040', '#40a080', '#c0c0c0'];
    await app.dropImage('bands.png', await app.paintedImage(64, 16, colours, 'image/png'));
    await app.expectImage('bands.png');
  });

  const result = async (page: Page) => (await api(page).renderResult()).data;
  const source = async (page: Page) => (await api(page).sourcePixels()).data;

  /** Replaces the editor's whole text, as one edit. */
  async function typeCode(page: Page, code: string) {
    await page.locator('[data-testid="custom.code"] .cm-content').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.insertText(code);
  }

  /** A new custom stage running `ENDLESS` at its default work (compiled, committed). */
  async function newEndlessEffect(page: Page) {
    await page.getByTestId('chain.new-effect').click();
    await typeCode(page, ENDLESS);
    await expect(page.getByTestId('custom.status')).toContainText('Compiled');
    await expect.poll(async () => (await app.chain()).stages[0].params.work).toBe(300);
  }

  /** A new custom stage running `code` (typed into the editor, compiled, committed). */
  async function newEffectWith(page: Page, code: string) {
    await page.getByTestId('chain.new-effect').click();
    await typeCode(page, code);
    await expect(page.getByTestId('custom.status')).toContainText('Compiled');
    await expect.poll(async () => (await app.chain()).stages[0].params.mix).toBe(1);
  }

  test('New effect… opens a template that works; its header’s parameters are controls that change the picture', async ({
    page,
  }) => {
    await page.getByTestId('chain.new-effect').click();
    await expect(page.getByTestId('custom.editor')).toBeVisible();
    await expect(page.getByTestId('custom.status')).toContainText('Compiled');
    const stage = app.stage(0);
    await expect(stage.getByText('GPU only')).toBeVisible();
    for (const label of ['Amount', 'Centre x', 'Centre y'])
      await expect(stage.getByLabel(`${label} value`)).toBeVisible();
    await expect(stage.getByTestId('stage.param-color')).toBeVisible();
    await expect(stage.getByTestId('stage.param-bool')).toBeVisible();

    // The template at its defaults changes the picture; at amount 0 it is the identity.
    await expect
      .poll(async () => (await result(page)).join() !== (await source(page)).join())
      .toBe(true);
    await app.setNumber(0, 'Amount', 0);
    expect((await result(page)).join()).toBe((await source(page)).join());
    // "Invert" (a bool, a u32 in WGSL) flips it.
    await stage.getByTestId('stage.param-bool').check();
    const inverted = await result(page);
    const input = await source(page);
    expect(inverted[0]).toBe(255 - input[0]);
    expect(inverted[3]).toBe(input[3]);
  });

  test('a compile error is listed at its line and underlined; the last version that built keeps rendering', async ({
    page,
  }) => {
    await page.getByTestId('chain.new-effect').click();
    await expect(page.getByTestId('custom.status')).toContainText('Compiled');
    const template = (await app.chain()).stages[0].effect;
    await typeCode(page, INVERT);
    await expect(page.getByTestId('custom.status')).toContainText('Compiled');
    await expect(app.stage(0).getByLabel('mix value')).toBeVisible();
    const good = (await app.chain()).stages[0].effect;
    const negative = await result(page);
    expect(negative[0]).toBe(255 - (await source(page))[0]);

    // Line 7 now uses a name that does not exist.
    await typeCode(page, INVERT.replace('1.0 - colour.rgb', '1.0 - colr.rgb'));
    await expect(page.getByTestId('custom.status')).toContainText('1 error');
    const problem = page.getByTestId('custom.problem');
    await expect(problem).toHaveAttribute('data-line', '7');
    await expect(problem).toContainText('colr');
    await expect(page.locator('[data-testid="custom.code"] .cm-lintRange-error')).toHaveCount(1);
    expect((await app.chain()).stages[0].effect).toBe(good);
    expect(await result(page)).toEqual(negative);
    // Reported in the editor, not as the page's GPU error.
    expect((await api(page).counters())!.errors).toBe(0);

    // Fixed: it builds and becomes the stage's code. The editing session was one undo step.
    await typeCode(page, INVERT.replace('params.mix)', 'params.mix * 0.5)'));
    await expect(page.getByTestId('custom.status')).toContainText('Compiled');
    await expect.poll(async () => (await app.chain()).stages[0].effect).not.toBe(good);
    await page.getByTestId('custom.close').click();
    await page.getByTestId('app.undo').click();
    expect((await app.chain()).stages[0].effect).toBe(template);
    await page.getByTestId('app.redo').click();
    expect((await app.chain()).stages[0].effect).not.toBe(good);
  });

  test('a shared link carries the code, and it runs only after its user has reviewed and accepted it', async ({
    page,
    browser,
  }) => {
    await newEffectWith(page, INVERT);
    const link = page.url();
    expect(link).toMatch(/#chain=z/);

    const other = await browser.newContext();
    try {
      const shared = new TriadPage(await other.newPage());
      await shared.page.goto(link);
      await api(shared.page).ready();
      const colours = ['#204060', '#806040', '#40a080', '#c0c0c0'];
      await shared.dropImage('bands.png', await shared.paintedImage(64, 16, colours, 'image/png'));
      await shared.expectImage('bands.png');
      const card = shared.stage(0);
      await expect(card.getByTestId('stage.skipped')).toContainText('has not been accepted yet');
      expect((await result(shared.page)).join()).toBe((await source(shared.page)).join());

      await card.getByTestId('stage.edit-code').click();
      await expect(shared.page.getByTestId('custom.status')).toContainText('Review this code');
      await expect(shared.page.locator('[data-testid="custom.code"] .cm-content')).toHaveAttribute(
        'contenteditable',
        'false',
      );
      await shared.page.getByTestId('custom.accept').click();
      await expect(shared.page.getByTestId('custom.status')).toContainText('Compiled');
      await expect
        .poll(async () => (await result(shared.page))[0])
        .toBe(255 - (await source(shared.page))[0]);

      // Remembered: after a reload it runs without asking again.
      await shared.page.reload();
      await api(shared.page).ready();
      await expect(shared.stage(0).getByTestId('stage.edit-code')).toHaveText('Edit code');
    } finally {
      await other.close();
    }
  });

  test('My effects keeps an effect in the browser; a file exported from it imports elsewhere, for review', async ({
    page,
    browser,
  }) => {
    await newEffectWith(page, INVERT);
    await page.getByTestId('custom.save').click();
    await expect(page.getByTestId('custom.save')).toHaveText('Saved');
    await page.getByTestId('custom.close').click();

    const library = page.getByTestId('library');
    await library.locator('summary').click();
    await expect(library.getByTestId('library.effect')).toHaveText([/Negative/]);
    // Kept across a reload (IndexedDB), and added back to a chain from there.
    await page.reload();
    await api(page).ready();
    await page.getByTestId('library').locator('summary').click();
    await page.getByTestId('library.add').click();
    await expect(app.stages).toHaveCount(2);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('library.export').click(),
    ]);
    expect(download.suggestedFilename()).toBe('negative.triad-effect.json');
    const file = await download.path();

    const other = await browser.newContext();
    try {
      const fresh = new TriadPage(await other.newPage());
      await fresh.goto();
      // A file that is not an effect changes nothing and says why.
      await fresh.page.getByTestId('library').locator('summary').click();
      await fresh.page.getByTestId('library.file').setInputFiles({
        name: 'notes.triad-effect.json',
        mimeType: 'application/json',
        buffer: Buffer.from('{"format":"lut"}'),
      });
      await expect(fresh.notices.filter({ hasText: 'Could not import the effect' })).toContainText(
        'not a Triad effect file',
      );
      await expect(fresh.stages).toHaveCount(0);

      await fresh.page.getByTestId('library.file').setInputFiles(file);
      await expect(fresh.stages).toHaveCount(1);
      await expect(fresh.page.getByTestId('custom.status')).toContainText('Review this code');
      await expect(fresh.page.getByTestId('library.effect')).toHaveText([/Negative/]);
    } finally {
      await other.close();
    }
  });

  test('a shader whose frame runs over the watchdog’s limits is stopped, the GPU reset, and the app goes on without it', async ({
    page,
  }) => {
    await newEndlessEffect(page);
    // Limits far below what a frame with this shader takes on a software GPU (tens of ms and
    // more): stopped after 1 ms on a frame, the GPU given up after 5 ms. (Loops are bounded, so
    // no shader runs for ever: see the infinite-loop test below.)
    await api(page).setCustomWatchdog(1, 5);
    const generation = (await api(page).state()).deviceGeneration;
    await app.setNumber(0, 'work', 400);
    // The watchdog fires only while the frame is still on the GPU: the page ran it meanwhile.
    // First the warning (in the log: the notices after it, three at most on screen, can push its
    // card off at once — a CI run saw a "GPU error" from the reset device do so), then the error.
    await expect
      .poll(async () => (await api(page).noticeLog()).map((n) => `${n.kind}: ${n.title}`))
      .toContain('warning: “Endless” was stopped');
    await expect(app.notices.filter({ hasText: '“Endless” stopped the GPU' })).toBeVisible({
      timeout: 60_000,
    });
    await expect
      .poll(async () => (await api(page).state()).deviceGeneration, { timeout: 60_000 })
      .toBeGreaterThan(generation);
    await api(page).ready();
    // The reset is told once: "stopped the GPU" says the app gave the device up and starts a
    // new one, and no "GPU device lost" card repeats it.
    expect((await api(page).noticeLog()).map((n) => n.title)).not.toContain('GPU device lost');
    // On the new device the stopped effect stays off: the frame shows its input, and says why.
    await expect(app.stage(0).getByTestId('stage.skipped')).toContainText('was stopped');
    expect((await result(page)).join()).toBe((await source(page)).join());
    // The reset was the app's own: the frame it cut short ("Buffer was unmapped before mapping
    // was resolved", before the device's loss settled) is that loss, not a "GPU error" to show
    // (it was shown in 6 of 10 runs here).
    expect((await api(page).noticeLog()).map((n) => n.title)).not.toContain('GPU error');
  });

  test('a GPU device lost while a custom effect’s frame is on the GPU names that effect in its card', async ({
    page,
  }) => {
    await newEndlessEffect(page);
    // The watchdog far off: this loss is not its own (that one is told as "stopped the GPU").
    await api(page).setCustomWatchdog(60_000, 120_000);
    await app.setNumber(0, 'work', 400);
    // Once a frame with the shader is on the GPU, the device goes (as a driver reset takes it).
    await expect
      .poll(async () => (await api(page).customRunning()).length, { timeout: 30_000 })
      .toBeGreaterThan(0);
    await api(page).loseDevice();
    // (Named with it, at times: the version before, which ran while this one compiled and
    // finished a moment before — see LOSS_SETTLES_MS.)
    const lost = app.notices.filter({ hasText: 'GPU device lost' });
    await expect(lost).toContainText(/It was running the custom effects? (“[^”]+”, )*“Endless”/);
    await expect(page.getByTestId('app.gpu-status')).toHaveAttribute('data-status', 'ready');
    expect((await api(page).noticeLog()).map((n) => n.title)).not.toContain(
      '“Endless” stopped the GPU',
    );
  });

  test('a shader with an infinite loop does not freeze the page', async ({ page }) => {
    await page.getByTestId('chain.new-effect').click();
    await expect(page.getByTestId('custom.status')).toContainText('Compiled');
    await typeCode(
      page,
      `/*{ "name": "Forever" }*/
fn effect(colour: vec4f, at: vec2f, size: vec2f) -> vec4f {
  var x = colour.r;
  loop {
    x = fract(x * 1.0001 + 0.37);
    if (x > 2.0) { break; }
  }
  return vec4f(x, colour.g, colour.b, colour.a);
}
`,
    );
    await expect(page.getByTestId('custom.status')).toContainText('Compiled');
    // Whatever the GPU does with it (cut short by the platform, stopped by the watchdog, or the
    // device reset), the page keeps answering and its controls keep working.
    await page.getByTestId('app.more').click();
    await expect(page.getByTestId('app.more-menu')).toBeVisible();
    await page.keyboard.press('Escape');
    await page.getByTestId('custom.close').click();
    await expect(page.getByTestId('custom.editor')).toHaveCount(0);
    await expect
      .poll(async () => (await api(page).state()).gpuStatus, { timeout: 60_000 })
      .toBe('ready');
  });
});
