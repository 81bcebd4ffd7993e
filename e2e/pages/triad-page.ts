import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { appQuery } from '../../scripts/chromium.mjs';
import { api } from '../support/api';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function fixture(name: string): Buffer {
  return readFileSync(FIXTURES + name);
}

/** Page object for the Triad app: user-level actions and the test API on window.__triad. */
export class TriadPage {
  readonly page: Page;
  readonly canvas: Locator;
  readonly stages: Locator;
  readonly notices: Locator;

  constructor(page: Page) {
    this.page = page;
    this.canvas = page.getByTestId('viewer.canvas');
    this.stages = page.getByTestId('chain.stage');
    this.notices = page.getByTestId('notice');
    // Serve e2e/fixtures at /__fixtures/ so in-page code can fetch them.
    void page.route('**/__fixtures/*', (route) => {
      const name = new URL(route.request().url()).pathname.split('/').pop()!;
      return route.fulfill({ body: fixture(name) });
    });
  }

  /** Opens the app (with the adapter the test run uses) and waits for the GPU. */
  async goto(hash = ''): Promise<void> {
    const adapter = test.info().project.metadata.adapter as Parameters<typeof appQuery>[0];
    await this.page.goto(`/${appQuery(adapter)}${hash}`);
    await expect(this.page.getByTestId('app.gpu-status')).not.toHaveAttribute(
      'data-status',
      'starting',
    );
    await api(this.page).ready();
  }

  async status(): Promise<string> {
    return (await this.page.getByTestId('app.gpu-status').getAttribute('data-status')) ?? '';
  }

  /** Drops files on the page the way a user's drag and drop does. */
  async dropFiles(
    files: { name: string; bytes: Buffer | Uint8Array; type?: string }[],
    target?: Locator,
  ) {
    const payload = files.map((f) => ({
      name: f.name,
      bytes: Array.from(f.bytes),
      type: f.type ?? '',
    }));
    const dataTransfer = await this.page.evaluateHandle((items) => {
      const dt = new DataTransfer();
      for (const f of items)
        dt.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }));
      return dt;
    }, payload);
    const on = target ?? this.page.getByTestId('app.root');
    await on.dispatchEvent('dragenter', { dataTransfer });
    await on.dispatchEvent('dragover', { dataTransfer });
    await on.dispatchEvent('drop', { dataTransfer });
  }

  /** The CPU worker count field, in the header's "More" menu (opened if it is not). */
  async workersField(): Promise<Locator> {
    const field = this.page.getByTestId('app.workers');
    if (!(await field.isVisible())) await this.page.getByTestId('app.more').click();
    return field;
  }

  /** Sets the CPU worker count as a user does: type it and press Enter. */
  async setWorkers(count: number): Promise<void> {
    const field = await this.workersField();
    await field.fill(String(count));
    await field.press('Enter');
  }

  async dropImage(name: string, bytes: Buffer | Uint8Array = fixture(name)): Promise<void> {
    await this.dropFiles([{ name, bytes }]);
  }

  /**
   * Drops a fixture clip (or these bytes under its name) and waits until it is open: its first
   * frame shown and its controls up (a clip open before it had controls already).
   */
  async openClip(
    name = 'realshort.mp4',
    bytes: Buffer | Uint8Array = fixture(name),
  ): Promise<void> {
    const opened = (await api(this.page).videoState()).opened;
    await this.dropFiles([{ name, bytes }]);
    await expect.poll(async () => (await api(this.page).videoState()).opened).toBe(opened + 1);
    await expect(this.page.getByTestId('video.controls')).toBeVisible();
    await expect(this.page.getByTestId('video.play')).toBeEnabled();
  }

  async pickFiles(files: { name: string; buffer: Buffer; mimeType: string }[]): Promise<void> {
    await this.page.getByTestId('app.file-input').setInputFiles(files);
  }

  /** Encodes an image in the browser: vertical bands of the given colours, equally wide. */
  async paintedImage(
    width: number,
    height: number,
    bands: string[],
    type: string,
  ): Promise<Uint8Array> {
    const bytes = await this.page.evaluate(
      async ({ width, height, bands, type }) => {
        const canvas = new OffscreenCanvas(width, height);
        const ctx = canvas.getContext('2d')!;
        bands.forEach((colour, i) => {
          ctx.fillStyle = colour;
          const x0 = Math.round((i * width) / bands.length);
          ctx.fillRect(x0, 0, Math.round(((i + 1) * width) / bands.length) - x0, height);
        });
        const blob = await canvas.convertToBlob({ type, quality: 0.95 });
        return Array.from(new Uint8Array(await blob.arrayBuffer()));
      },
      { width, height, bands, type },
    );
    return Uint8Array.from(bytes);
  }

  /** Opens the app and drops a fixture image into it. */
  async gotoWithImage(name: string): Promise<void> {
    await this.goto();
    await this.dropImage(name);
    await this.expectImage(name);
  }

  async expectImage(name: string): Promise<void> {
    await expect(this.page.getByTestId('viewer.image-info')).toContainText(name);
  }

  async addEffect(query: string, effectId: string): Promise<void> {
    const input = this.page.getByTestId('chain.add-effect');
    await input.fill(query);
    await this.page
      .locator(`[data-testid="chain.effect-option"][data-effect="${effectId}"]`)
      .click();
  }

  stage(index: number): Locator {
    return this.stages.nth(index);
  }

  async effectOrder(): Promise<string[]> {
    return this.stages.evaluateAll((els) => els.map((e) => e.getAttribute('data-effect') ?? ''));
  }

  /** Sets a stage's number parameter through its numeric entry field. */
  async setNumber(stageIndex: number, label: string, value: number): Promise<void> {
    const field = this.stage(stageIndex).getByLabel(`${label} value`);
    await field.fill(String(value));
    await field.press('Enter');
  }

  async actualSize(): Promise<void> {
    await this.page.getByTestId('viewer.actual').click();
  }

  async compareCanvasWithCpu() {
    return api(this.page).compareCanvasWithCpu();
  }

  /**
   * Asserts the canvas shows its chain's CPU reference, pixel for pixel; a mismatch says where,
   * and what else was true (source read back as zeros, a device or engine change, GPU errors).
   */
  async expectCanvasMatchesCpu() {
    const result = await this.compareCanvasWithCpu();
    const d = result.diagnosis;
    // The same source texture, no device change, its file decoding right, yet read as zeros:
    // the browser corrupted it (docs/ARCHITECTURE.md, Headless Chromium facts; issue 15).
    const corrupted =
      d.sourceAllZero && !d.deviceChanged && !d.engineChanged && !!d.sourceDiffersFromFile;
    expect(
      result.over,
      `first differing pixel ${JSON.stringify(result.firstOver)}; ${JSON.stringify(d)}` +
        (corrupted ? '; the source texture itself was corrupted (see docs/ARCHITECTURE.md)' : ''),
    ).toBe(0);
    return result;
  }

  async chain() {
    return (await api(this.page).state()).chain as {
      stages: {
        effect: string;
        enabled: boolean;
        target: string;
        params: Record<string, unknown>;
      }[];
    };
  }
}
