import { expect, test, type Page } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { maskIoU, psnr, referenceMask } from './support/reference-models';
import { api, collectGarbage } from './support/api';

/** A chain of one AI stage pinned to a target (manual placement). */
function chainJson(effect: string, target: string, params: Record<string, unknown> = {}): string {
  return JSON.stringify({ v: 1, stages: [{ effect, enabled: true, target, params }] });
}

async function setChain(page: Page, json: string) {
  await api(page).setChain(json);
}

test.describe('AI effects on every ML target', () => {
  let app: TriadPage;

  test.beforeEach(async ({ page }) => {
    app = new TriadPage(page);
    await app.gotoWithImage('astronaut-256.png');
  });

  for (const target of ['ort-wasm', 'ort-webgpu', 'tfjs-webgpu'] as const) {
    test(`${target}: Show mask agrees with onnxruntime-node with GPU and with CPU pre/post-processing`, async ({
      page,
    }) => {
      const reference = await referenceMask(await api(page).sourcePixels());
      await setChain(page, chainJson('show-mask', target));
      const frame = (await api(page).renderNow())!;
      expect(frame.ran[0]).toEqual({ stage: expect.any(String), target });
      // Every target reads back only the model's 256×256 input, never the frame (the GPU
      // runtimes too: each runs in a worker on a device of its own).
      expect(frame.readbacks).toBe(1);
      const gpuSide = await api(page).renderResult();
      const cpuSide = await api(page).mlRunOnCpu('show-mask', target);
      for (const result of [gpuSide, cpuSide]) {
        const { iou, coverage } = maskIoU(result, reference);
        expect(coverage).toBeGreaterThan(0.1);
        expect(iou).toBeGreaterThanOrEqual(0.98);
      }
      // The mask as grey levels, against the reference upsampled the same way (identity here).
      const grey = {
        width: 256,
        height: 256,
        data: Array.from(reference).flatMap((m) => {
          const v = Math.round(Math.min(1, Math.max(0, m)) * 255);
          return [v, v, v, 255];
        }),
      };
      expect(psnr(gpuSide, grey)).toBeGreaterThan(30);
      // The app's GPU side (resize, tensor, composite) made no validation error on its device.
      expect(await api(page).mlMemory()).toMatchObject({ errors: 0 });
      await expect(app.stage(0).getByTestId('stage.model-stats')).toContainText(
        `selfie-segmentation on ${target}: loaded in`,
      );
      await expect(app.stage(0).getByTestId('stage.model-stats')).toContainText('first run');
    });
  }

  for (const target of ['ort-webgpu', 'tfjs-webgpu', 'ort-wasm'] as const) {
    test(`after a GPU device loss, ${target} runs again on the new device, without a reload`, async ({
      page,
    }) => {
      const source = await api(page).sourcePixels();
      const reference = await referenceMask(source);
      await setChain(page, chainJson('show-mask', target));
      expect((await api(page).renderNow())!.ran[0].target).toBe(target);
      const lost = await api(page).watchDevice();
      await api(page).loseDevice();
      await expect
        .poll(() =>
          api(page)
            .state()
            .then((s) => [s.deviceGeneration, s.gpuStatus]),
        )
        .toEqual([2, 'ready']);
      // The stage runs where it is pinned, on the new device: not failed over, not skipped, and
      // the frames asked for while the device was replaced did not fail over either.
      const frame = (await api(page).renderNow())!;
      expect(frame.ran[0]).toEqual({ stage: expect.any(String), target });
      // The new device has the same picture (a mask from another one would be wrong pixels too;
      // CI once had IoU 0.37 here, and this tells the two apart).
      const restored = await api(page).sourcePixels();
      expect(restored.data.filter((v, i) => v !== source.data[i]).length).toBe(0);
      const { iou } = maskIoU(await api(page).renderResult(), reference);
      expect(iou).toBeGreaterThanOrEqual(0.98);
      // One model (the one on the new device), and no GPU error on the new device: nothing of
      // the old device (a buffer, a tensor, a session) was used on it.
      expect(await api(page).mlMemory()).toMatchObject({ models: 1, errors: 0 });
      // The panel's recovery log: what was lost, and each part back, with how long it took.
      const log = page.getByTestId('perf.recovery');
      for (const part of ['GPU device', 'Frames', target]) {
        await expect(log.locator(`li[data-event=lost][data-part="${part}"]`)).toHaveCount(1);
        await expect(log.locator(`li[data-event=back][data-part="${part}"]`)).toContainText(
          `${part} back after`,
        );
      }
      await expect(page.getByTestId('perf.timeline-outages')).toBeVisible();
      // Nothing holds the lost device: no buffer, texture, pipeline or session of it is left.
      // (ort-webgpu runs on a device of its own in its worker: the page's never reaches
      // onnxruntime, which kept every device it was given for the module's life.)
      await expect
        .poll(async () => {
          await collectGarbage(page);
          return api(page).deviceCollected(lost);
        })
        .toBe(true);
    });
  }

  for (const [target, lose] of [
    ['ort-webgpu', 'loseOrtWebGpuDevice'],
    ['tfjs-webgpu', 'loseTfjsDevice'],
  ] as const) {
    test(`when ${target}’s own device is lost, its worker starts again on a new one and the stage runs there again, without a reload`, async ({
      page,
    }) => {
      const reference = await referenceMask(await api(page).sourcePixels());
      await setChain(page, chainJson('show-mask', target));
      expect((await api(page).renderNow())!.ran[0].target).toBe(target);
      const generation = (await api(page).state()).deviceGeneration;
      // No frame of the app's own in flight or asked for: the next frame is this test's (a display
      // frame that met the loss first failed over and restarted the runtime, and this test's then
      // ran on the new one).
      await api(page).settle();
      await api(page)[lose]();
      // The frame that finds the device gone goes on elsewhere (the app's device is not
      // touched: nothing waits to learn whether it is being lost)…
      const during = (await api(page).renderNow())!.ran[0];
      expect(during.target).not.toBe(target);
      // …and that failure starts the runtime again with the model at once, before any other
      // frame asks for it (it waited for the next frame before: the whole load came after it).
      await expect
        .poll(async () => {
          const memory = await api(page).mlMemory();
          return memory.workerSessions === memory.models;
        })
        .toBe(true);
      // The next frame runs on its target again, in a fresh worker, with the same mask.
      const after = (await api(page).renderNow())!.ran[0];
      expect(after.target).toBe(target);
      expect(after.skipped).toBeFalsy();
      expect((await api(page).state()).deviceGeneration).toBe(generation);
      const { iou } = maskIoU(await api(page).renderResult(), reference);
      expect(iou).toBeGreaterThanOrEqual(0.98);
      // A model in a worker per loaded model (the frames between may have failed over to
      // ort-wasm, whose model stays loaded): the old worker went with its models.
      const memory = await api(page).mlMemory();
      expect(memory.workerSessions).toBe(memory.models);
      expect(memory.retiringWorkers).toBe(0); // the old worker is gone once the new one loaded
      expect(memory.errors).toBe(0);
      // The panel's recovery log: the runtime's own device lost, and the runtime back (its
      // model loaded in the new worker) — the app's device was never out.
      const log = page.getByTestId('perf.recovery');
      await expect(log.locator(`li[data-event=lost][data-part="${target}"]`)).toHaveCount(1);
      await expect(log.locator(`li[data-event=lost][data-part="${target}"]`)).toContainText(
        'its own GPU device was lost',
      );
      await expect(log.locator(`li[data-event=back][data-part="${target}"]`)).toContainText(
        `${target} back after`,
      );
      await expect(log.locator('li[data-part="GPU device"]')).toHaveCount(0);
      test
        .info()
        .annotations.push({ type: 'the frame during the loss ran on', description: during.target });
    });
  }

  for (const [target, lose] of [
    ['ort-webgpu', 'loseOrtWebGpuDevice'],
    ['tfjs-webgpu', 'loseTfjsDevice'],
  ] as const) {
    test(`a model loaded after ${target}’s own device was lost runs in a fresh worker, not in the dead one`, async ({
      page,
    }) => {
      await setChain(page, chainJson('show-mask', target));
      expect((await api(page).renderNow())!.ran[0].target).toBe(target);
      // No AI stage: the model is released; then the worker's device goes, with nothing running
      // on it to notice.
      await setChain(page, JSON.stringify({ v: 1, stages: [] }));
      await api(page).renderNow();
      await api(page)[lose]();
      // The stage again: its model loads in the worker whose device is gone (WebGPU calls on a
      // lost device do not throw), its warm-up run fails, and that failure starts the worker
      // again, so a later frame loads the model there.
      await setChain(page, chainJson('show-mask', target));
      const ran = await page.evaluate(async (target) => {
        const targets: string[] = [];
        for (let i = 0; i < 30; i++) {
          const frame = (await window.__triad.renderNow())!;
          targets.push(frame.ran[0].skipped ? 'skipped' : frame.ran[0].target);
          if (targets.at(-1) === target) break;
        }
        return targets;
      }, target);
      expect(ran.at(-1), ran.join(', ')).toBe(target);
    });
  }

  test('ort-webgpu runs in a worker: the page itself never loads onnxruntime’s WebAssembly', async ({
    page,
  }) => {
    await setChain(page, chainJson('show-mask', 'ort-webgpu'));
    expect((await api(page).renderNow())!.ran[0].target).toBe('ort-webgpu');
    // The page's own resource timeline (a worker's fetches are in the worker's): on the page,
    // onnxruntime's first session held the thread 0.4–0.8 s compiling its WebAssembly.
    const fetched = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => e.name),
    );
    expect(fetched.filter((url) => /ort-wasm-simd-threaded/.test(url))).toEqual([]);
    expect(await api(page).mlMemory()).toMatchObject({ workerSessions: 1 });
  });

  test('tfjs-webgpu runs in a worker: the page itself never fetches its model, and its tensors are released', async ({
    page,
  }) => {
    await setChain(page, chainJson('show-mask', 'tfjs-webgpu'));
    expect((await api(page).renderNow())!.ran[0].target).toBe('tfjs-webgpu');
    // Loading the model (its weights parsed and uploaded) held the page's thread ~190 ms.
    const fetched = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => e.name),
    );
    expect(fetched.filter((url) => /models\/selfie-segmentation\/tfjs\//.test(url))).toEqual([]);
    const one = await api(page).mlMemory();
    expect(one).toMatchObject({ workerSessions: 1, models: 1 });
    // A frame leaves nothing behind in tfjs: the same tensors (the model's weights) after more.
    for (let i = 0; i < 3; i++) await api(page).renderNow();
    expect((await api(page).mlMemory()).tfjsTensors).toBe(one.tfjsTensors);
  });

  test('after a CPU stage, segmentation still runs on the GPU side: the frame goes up, only the model input comes down', async ({
    page,
  }) => {
    // One cost per stage and target: were the stage to composite on the CPU whenever the frame
    // happened to be there, its time would depend on the stage before it (a CPU composite took
    // 190 ms where the GPU side took 22), and the scheduler's one estimate would mix both.
    await setChain(
      page,
      JSON.stringify({
        v: 1,
        stages: [
          { effect: 'invert', enabled: true, target: 'cpu', params: {} },
          { effect: 'show-mask', enabled: true, target: 'ort-wasm', params: {} },
        ],
      }),
    );
    const frame = (await api(page).renderNow())!;
    expect(frame.ran.map((r) => r.target)).toEqual(['cpu', 'ort-wasm']);
    // The frame read back once for the CPU stage, then the model's 256×256 input: two.
    expect(frame.readbacks).toBe(2);
    // The mask of the inverted photo, as the runtime makes it with CPU pre/post-processing.
    const gpuSide = await api(page).renderResult();
    const inverted = await page.evaluate(async () => {
      const api = window.__triad;
      await api.setChain(
        JSON.stringify({
          v: 1,
          stages: [{ effect: 'invert', enabled: true, target: 'cpu', params: {} }],
        }),
      );
      await api.renderNow();
      return api.renderResult();
    });
    const reference = await referenceMask(inverted);
    expect(maskIoU(gpuSide, reference).iou).toBeGreaterThanOrEqual(0.98);
  });

  test('500 inferences leave tensors, sessions and GPU buffers flat; removing the stage frees the model', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await setChain(page, chainJson('background-blur', 'ort-wasm', { radius: 6 }));
    const counts = await page.evaluate(async () => {
      const api = window.__triad;
      // Warm: caches filled, and past the texture pool's 16-frame window (what frames before
      // this chain held is trimmed by then).
      for (let i = 0; i < 20; i++) await api.renderNow();
      const before = await api.mlMemory();
      for (let i = 0; i < 500; i++) {
        const frame = await api.renderNow();
        if (!frame || frame.ran[0].skipped) throw new Error(`frame ${i} did not run the model`);
      }
      await new Promise((r) => requestAnimationFrame(r));
      return { before, after: await api.mlMemory() };
    });
    expect(counts.before.workerSessions).toBe(1);
    expect(counts.after).toEqual(counts.before);

    await setChain(page, chainJson('invert', 'gpu'));
    await api(page).renderNow();
    await expect.poll(() => api(page).mlMemory()).toMatchObject({ models: 0, workerSessions: 0 });
  });

  test('ort-webgpu keeps its tensors and buffers flat frame after frame', async ({ page }) => {
    test.setTimeout(120_000);
    await setChain(page, chainJson('background-blur', 'ort-webgpu', { radius: 6 }));
    const counts = await page.evaluate(async () => {
      const api = window.__triad;
      // Warm, and past the texture pool's 16-frame window (see the test above).
      for (let i = 0; i < 17; i++) await api.renderNow();
      const before = await api.mlMemory();
      for (let i = 0; i < 12; i++) {
        const frame = await api.renderNow();
        if (!frame || frame.ran[0].skipped) throw new Error(`frame ${i} did not run the model`);
      }
      return { before, after: await api.mlMemory() };
    });
    expect(counts.before.ortTensors).toBe(0); // every tensor of a frame is disposed by its end
    expect(counts.after).toEqual(counts.before);
  });

  test('the model loads with a progress bar, and its first-run time is shown apart', async ({
    page,
  }) => {
    // Hold the model file back a moment, so the loading state can be seen.
    await page.route('**/models/selfie-segmentation/model.onnx', async (route) => {
      await new Promise((r) => setTimeout(r, 800));
      await route.continue();
    });
    await setChain(page, chainJson('show-mask', 'ort-wasm'));
    const progress = page.getByTestId('viewer.progress');
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute('aria-label', /Loading selfie-segmentation on ort-wasm/);
    await expect(progress).toBeHidden({ timeout: 30_000 });
    await expect(app.stage(0).getByTestId('stage.model-stats')).toContainText(/first run \d+ ms/);
    // The WebAssembly session lives in the ort worker: the page thread never compiled it.
    expect(await api(page).mlMemory()).toMatchObject({
      workerSessions: 1,
    });
  });

  test('GPU only places AI stages on GPU targets; the target picker says why WebNN cannot run', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await setChain(page, chainJson('show-mask', 'ort-wasm'));
    await expect(app.stage(0).locator('option[value="ort-webnn"]')).toBeDisabled();
    await expect(app.stage(0).locator('option[value="ort-webnn"]')).toHaveAttribute(
      'title',
      /navigator\.ml/,
    );
    await page.getByTestId('chain.placement').selectOption('gpu-only');
    const ran = await page.evaluate(async () => {
      const targets: string[] = [];
      for (let i = 0; i < 4; i++) targets.push((await window.__triad.renderNow())!.ran[0].target);
      return targets;
    });
    for (const target of ran) expect(['ort-webgpu', 'tfjs-webgpu']).toContain(target);
    const placement = await api(page).placement();
    expect(placement.mode).toBe('gpu-only');
  });
});
