import { expect, test } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { api } from './support/api';

/** The CPU worker pool, with real Web Workers in the browser. */
test.describe('CPU worker pool', () => {
  test.beforeEach(async ({ page }) => {
    await new TriadPage(page).goto();
  });

  test('a transfer really transfers: the sender’s buffer is detached', async ({ page }) => {
    const result = await page.evaluate(async () => {
      const { WorkerPool, createCpuWorker, transfer } = window.__triad.lib;
      const pool = new WorkerPool<import('../src/cpu/protocol').CpuWorkerApi>({
        size: 1,
        create: createCpuWorker,
        timeoutMs: 10_000,
      });
      const sent = new Uint8Array(1 << 20).fill(7).buffer;
      const back = await pool.run((remote) => remote.echo(transfer(sent, [sent])));
      pool.destroy();
      return {
        sentAfter: sent.byteLength,
        backLength: back.byteLength,
        first: new Uint8Array(back)[0],
      };
    });
    expect(result).toEqual({ sentAfter: 0, backLength: 1 << 20, first: 7 });
  });

  test('higher priority runs first; equal priorities in order', async ({ page }) => {
    const order = await page.evaluate(async () => {
      const { WorkerPool, createCpuWorker, transfer } = window.__triad.lib;
      const pool = new WorkerPool<import('../src/cpu/protocol').CpuWorkerApi>({
        size: 1,
        create: createCpuWorker,
        timeoutMs: 10_000,
      });
      const done: string[] = [];
      const task = (name: string, priority: number) =>
        pool
          .run(
            (remote) => {
              const b = new ArrayBuffer(16);
              return remote.echo(transfer(b, [b]));
            },
            { priority },
          )
          .then(() => done.push(name));
      // The first task occupies the only worker while the others queue.
      await Promise.all([
        task('first', 0),
        task('low', 0),
        task('high', 9),
        task('mid', 5),
        task('low2', 0),
      ]);
      pool.destroy();
      return done;
    });
    expect(order).toEqual(['first', 'high', 'mid', 'low', 'low2']);
  });

  test('1000 tasks with random cancellations, a crash and a hang: each resolves right or fails clearly', async ({
    page,
  }) => {
    const report = await page.evaluate(async () => {
      const { WorkerPool, createCpuWorker, transfer } = window.__triad.lib;
      let created = 0;
      const terminated = new Set<Worker>();
      const create = () => {
        created++;
        const worker = createCpuWorker();
        const terminate = worker.terminate.bind(worker);
        worker.terminate = () => {
          terminated.add(worker);
          terminate();
        };
        return worker;
      };
      const pool = new WorkerPool<import('../src/cpu/protocol').CpuWorkerApi>({
        size: 3,
        create,
        timeoutMs: 1500,
      });
      let seed = 12345;
      const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
      const outcomes: { i: number; kind: string; ok: boolean; error?: string; value?: number }[] =
        [];
      let crashOnce = true;
      const jobs = [];
      for (let i = 0; i < 1000; i++) {
        const controller = new AbortController();
        let kind = 'echo';
        if (i === 300) kind = 'crash-always';
        if (i === 301) kind = 'crash-once';
        if (i === 600) kind = 'hang';
        const job = pool
          .run(
            (remote) => {
              if (kind === 'crash-always') return remote.crash();
              if (kind === 'hang') return remote.hang();
              if (kind === 'crash-once' && crashOnce) {
                crashOnce = false;
                return remote.crash();
              }
              const buffer = new Uint32Array([i]).buffer;
              return remote.echo(transfer(buffer, [buffer]));
            },
            { signal: controller.signal, label: `task ${i}`, priority: i % 3 },
          )
          .then(
            (value) =>
              outcomes.push({ i, kind, ok: true, value: new Uint32Array(value as ArrayBuffer)[0] }),
            (error: Error) =>
              outcomes.push({ i, kind, ok: false, error: `${error.name}: ${error.message}` }),
          );
        jobs.push(job);
        if (kind === 'echo' && random() < 0.15) {
          // Cancel some at once, some a little later (queued or running by then).
          if (random() < 0.5) controller.abort();
          else setTimeout(() => controller.abort(), random() * 20);
        }
      }
      await Promise.all(jobs);
      const stats = { ...pool.stats };
      const live = pool.live;
      pool.destroy();
      return {
        outcomes,
        stats,
        created,
        live,
        terminatedBeforeDestroy: stats.replaced,
        terminated: terminated.size,
      };
    });

    expect(report.outcomes).toHaveLength(1000);
    for (const o of report.outcomes) {
      if (o.ok) {
        expect(o.kind === 'echo' || o.kind === 'crash-once', `task ${o.i}`).toBe(true);
        if (o.kind === 'echo') expect(o.value).toBe(o.i);
      } else if (o.kind === 'echo') {
        expect(o.error).toBe(`AbortError: task ${o.i} was cancelled`);
      }
    }
    const byKind = (kind: string) => report.outcomes.find((o) => o.kind === kind)!;
    expect(byKind('crash-always').error).toMatch(
      /^WorkerTaskError: task 300 failed after 2 attempts: worker crashed/,
    );
    expect(byKind('crash-once')).toMatchObject({ ok: true });
    expect(byKind('hang').error).toMatch(
      /^WorkerTaskError: task 600 failed after 2 attempts: worker did not answer/,
    );
    expect(report.stats.cancelled).toBeGreaterThan(50);
    // Two crashes and one retried crash, two hangs: five workers replaced, none leaked.
    expect(report.stats.replaced).toBe(5);
    expect(report.live).toBe(3);
    expect(report.created).toBe(3 + report.stats.replaced);
    expect(report.terminated).toBe(report.created);
  });

  test('every effect run in row bands on the workers equals the whole-frame reference', async ({
    page,
  }) => {
    const results = await page.evaluate(async () => {
      const { CpuPool, runChainOnCpu } = window.__triad.lib;
      const blob = await (await fetch('/__fixtures/chelsea.png')).blob();
      const bitmap = await createImageBitmap(blob, { resizeWidth: 200, resizeHeight: 133 });
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      const image = { width: bitmap.width, height: bitmap.height, data };
      const cpu = new CpuPool(3);
      const env = { lut: () => undefined };
      const params: Record<string, Record<string, unknown>> = {
        'gaussian-blur': { radius: 9 },
        'unsharp-mask': { radius: 4, amount: 200 },
        pixelate: { block: 7 },
        'chromatic-aberration': { amount: 5 },
        'film-grain': { mono: false, size: 2 },
      };
      const out: { effect: string; equal: boolean }[] = [];
      for (const effect of window.__triad.state().effects) {
        const chain = JSON.stringify({
          v: 1,
          stages: [{ effect, enabled: true, params: params[effect] ?? {} }],
        });
        window.__triad.setChain(chain);
        const stage = window.__triad.state().chain.stages[0];
        const expected = runChainOnCpu(
          { stages: [{ id: 'x', effect, enabled: true, target: 'cpu', params: stage.params }] },
          image,
          { index: 3 },
          env,
        );
        for (const bands of [3, 5]) {
          const got = await cpu.runEffect(effect, image, stage.params, { index: 3 }, env, {
            bands,
          });
          out.push({
            effect: `${effect} in ${bands} bands`,
            equal: got.data.every((v, i) => v === expected.data[i]),
          });
        }
      }
      cpu.destroy();
      return out;
    });
    // Every effect of the catalogue (17 today), in 3 and in 5 bands.
    expect(results.length).toBe(2 * (await api(page).state()).effects.length);
    expect(results.length).toBeGreaterThanOrEqual(34);
    expect(results.filter((r) => !r.equal)).toEqual([]);
  });
});

test('a stage switched from GPU to CPU in the UI gives the same picture', async ({ page }) => {
  const app = new TriadPage(page);
  await app.gotoWithImage('chelsea.png');
  await app.addEffect('colour', 'colour-adjust');
  await app.setNumber(0, 'Saturation', 40);
  await app.addEffect('blur', 'gaussian-blur');
  await app.addEffect('vign', 'vignette');
  await app.actualSize();
  const gpu = await app.expectCanvasMatchesCpu();

  await app.stage(1).getByTestId('stage.target').selectOption('cpu');
  expect((await app.chain()).stages[1].target).toBe('cpu');
  const frame = await api(page).renderNow();
  expect(frame!.ran.map((r) => r.target)).toEqual(['gpu', 'cpu', 'gpu']);
  // One excursion to the CPU: one readback. Two frames may overlap (the default), so the stage
  // recorded after the upload is submitted at once, before another frame can run (see
  // runGpuStage): two submits more than a GPU-only frame's one.
  expect(frame).toMatchObject({ submits: 3, readbacks: 1 });
  const mixed = await app.expectCanvasMatchesCpu();
  expect(mixed.compared).toBe(gpu.compared);

  // All three on the CPU, then back: still the same picture.
  await app.stage(0).getByTestId('stage.target').selectOption('cpu');
  await app.stage(2).getByTestId('stage.target').selectOption('cpu');
  expect((await api(page).renderNow())!.readbacks).toBe(1);
  await app.expectCanvasMatchesCpu();
  expect((await api(page).cpuStats()).completed).toBeGreaterThan(0);
});

test('the worker count can be changed in the UI, is remembered, and CPU stages still render right', async ({
  page,
}) => {
  const app = new TriadPage(page);
  await app.gotoWithImage('chelsea.png');
  const defaultCount = await page.evaluate(() => Math.max(1, navigator.hardwareConcurrency - 1));
  expect((await api(page).cpuStats()).workers).toBe(defaultCount);
  await app.setWorkers(3);
  expect((await api(page).cpuStats()).workers).toBe(3);

  await app.addEffect('sobel', 'sobel');
  await app.stage(0).getByTestId('stage.target').selectOption('cpu');
  await app.actualSize();
  await app.expectCanvasMatchesCpu();

  await page.reload();
  await api(page).ready();
  await expect(await app.workersField()).toHaveValue('3');
  expect((await api(page).cpuStats()).workers).toBe(3);
});
