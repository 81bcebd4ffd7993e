import { readFileSync } from 'node:fs';
import { expect, test, type Download, type Page } from '@playwright/test';
import { fixture, TriadPage } from './pages/triad-page';
import { audioOnlyWebm, hevcMp4 } from './support/bad-videos';
import { psnr } from './support/reference-models';
import { api } from './support/api';

interface FixtureVideo {
  codec: string;
  width: number;
  height: number;
  frameCount: number;
  duration: number;
  timestamps: number[];
}
const MANIFEST = JSON.parse(
  readFileSync(new URL('./fixtures/video.json', import.meta.url), 'utf8'),
) as Record<string, FixtureVideo>;

test.describe('video', () => {
  let app: TriadPage;

  test.beforeEach(async ({ page }) => {
    app = new TriadPage(page);
    await app.gotoWithImage('chelsea.png');
  });

  for (const name of ['realshort.mp4', 'oa4_launch.webm', 'realshort.mov', 'realshort.mkv']) {
    test(`${name}: decodes to exactly the frames and timestamps its container lists`, async ({
      page,
    }) => {
      const expected = MANIFEST[name];
      await app.openClip(name);
      const state = await api(page).videoState();
      expect(state.uploadPath).not.toBeNull();
      expect(state).toMatchObject({ decoder: 'webcodecs', decodeThread: 'worker' });
      await expect(page.getByTestId('video.info')).toContainText('via WebCodecs (worker)');
      expect(state.info).toMatchObject({
        codec: expected.codec,
        width: expected.width,
        height: expected.height,
        frameCount: expected.frameCount,
      });
      expect(state.info!.duration).toBeCloseTo(expected.duration, 3);
      const decoded = await api(page).videoTimestamps();
      expect(decoded).toHaveLength(expected.frameCount);
      decoded.forEach((t, i) => expect(t).toBeCloseTo(expected.timestamps[i], 5));
      // The first frame is on screen, through an upload path the viewer names.
      expect(state.liveFrames).toBe(1);
      await expect(page.getByTestId('video.upload-path')).toHaveText(state.uploadPath!);
      await expect(page.getByTestId('viewer.image-info')).toContainText(
        `${name} · ${expected.width}×${expected.height}`,
      );
    });
  }

  test('decoding runs in a worker of its own, which ends with the video; on the page it gives the same frames', async ({
    page,
  }) => {
    const name = 'realshort.mp4';
    const expected = MANIFEST[name];
    const videoWorkers = () => page.workers().filter((w) => w.url().includes('video.worker'));
    await app.openClip(name);
    expect(videoWorkers()).toHaveLength(1);
    const inWorker = await api(page).videoFramePixels(20);

    await api(page).videoDecoder('page');
    await app.dropFiles([{ name, bytes: fixture(name) }]);
    await expect(page.getByTestId('video.info')).toContainText('via WebCodecs (page)');
    // Opening another video ended the first one's worker.
    await expect.poll(() => videoWorkers().length).toBe(0);
    const state = await api(page).videoState();
    expect(state).toMatchObject({ decoder: 'webcodecs', decodeThread: 'page', liveFrames: 1 });
    const decoded = await api(page).videoTimestamps();
    expect(decoded).toHaveLength(expected.frameCount);
    decoded.forEach((t, i) => expect(t).toBeCloseTo(expected.timestamps[i], 5));
    const onPage = await api(page).videoFramePixels(20);
    expect(onPage.timestamp).toBeCloseTo(inWorker.timestamp, 6);
    expect(psnr(onPage, inWorker)).toBe(Infinity);
  });

  test('scrubbing shows the frame at that time; ← and → step one frame', async ({ page }) => {
    const name = 'oa4_launch.webm';
    const ts = MANIFEST[name].timestamps;
    await app.openClip(name);
    // Between frames 100 and 101: frame 100 is the one shown.
    const at = (ts[100] + ts[101]) / 2;
    await api(page).videoSeek(at);
    let state = await api(page).videoState();
    expect(state.frameIndex).toBe(100);
    expect(state.time).toBeCloseTo(ts[100], 5);
    const shown = await api(page).sourcePixels();
    const reference = await api(page).videoFramePixels(100);
    // The same frame (another frame of this clip is far below 35 dB), whatever path uploaded it.
    expect(psnr(shown, reference)).toBeGreaterThan(35);
    const neighbour = await api(page).videoFramePixels(110);
    expect(psnr(shown, neighbour)).toBeLessThan(psnr(shown, reference));
    await expect(page.getByTestId('video.time')).toContainText(`0:0${ts[100].toFixed(2)}`);

    await page.getByTestId('viewer.canvas').click();
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await api(page).videoState()).frameIndex).toBe(101);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => (await api(page).videoState()).frameIndex).toBe(99);
    state = await api(page).videoState();
    expect(state.time).toBeCloseTo(ts[99], 5);
  });

  test('1000 frames of playback hold few decoded frames; removing the video closes them all, each once', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await app.addEffect('grain', 'film-grain');
    await app.openClip();
    const run = await api(page).videoPlayFrames(1000);
    expect(run.shown).toBeGreaterThanOrEqual(1000);
    expect(run.peakLive).toBeLessThanOrEqual(3);
    // Opening an image removes the video.
    await app.dropImage('washington.jpg');
    await expect(page.getByTestId('video.controls')).toBeHidden();
    const state = await api(page).videoState();
    expect(state).toMatchObject({ liveFrames: 0, closedTwice: 0, info: null });
  });

  test('each upload path is tried when forced: it works, or the app says why and uses the next', async ({
    page,
  }) => {
    const name = 'realshort.mp4';
    for (const path of ['importExternalTexture', 'copyExternalImageToTexture', 'copyTo'] as const) {
      await api(page).forceUploadPath(path);
      await app.openClip(name);
      await api(page).videoSeek(0.5);
      const state = await api(page).videoState();
      if (state.uploadPath !== path) {
        // This browser cannot use the path: the reason is recorded and a later path did the work.
        expect(state.uploadFailures[path], `${path} neither worked nor said why`).toBeTruthy();
      }
      const shown = await api(page).sourcePixels();
      const reference = await api(page).videoFramePixels(state.frameIndex);
      // copyTo is the reference itself; the GPU paths convert YUV→RGB (and upsample chroma) on
      // the GPU, which rounds and filters differently (measured here: mean 1.1 levels).
      if (state.uploadPath === 'copyTo') expect(psnr(shown, reference)).toBe(Infinity);
      else expect(psnr(shown, reference), `${path} via ${state.uploadPath}`).toBeGreaterThan(35);
    }
  });

  test('the <video> element fallback decodes the same frames at the same times, and scrubs', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const name = 'realshort.mp4';
    const expected = MANIFEST[name];
    await api(page).videoDecoder('element');
    await app.dropFiles([{ name, bytes: fixture(name) }]);
    await expect(page.getByTestId('video.info')).toContainText('via <video>');
    const state = await api(page).videoState();
    expect(state.decoder).toBe('element');
    const decoded = await api(page).videoTimestamps();
    expect(decoded).toHaveLength(expected.frameCount);
    decoded.forEach((t, i) => expect(t).toBeCloseTo(expected.timestamps[i], 5));
    // Frame 20 through the element looks like frame 20 through WebCodecs.
    await api(page).videoSeek(expected.timestamps[20]);
    const viaElement = await api(page).sourcePixels();
    await api(page).videoDecoder('auto');
    await app.dropFiles([{ name, bytes: fixture(name) }]);
    await expect(page.getByTestId('video.info')).toContainText('via WebCodecs');
    const viaWebCodecs = await api(page).videoFramePixels(20);
    expect(psnr(viaElement, viaWebCodecs)).toBeGreaterThan(30);
    const neighbour = await api(page).videoFramePixels(26);
    expect(psnr(viaElement, neighbour)).toBeLessThan(psnr(viaElement, viaWebCodecs));
  });

  test('sound plays with the picture: the frame on screen follows the time being heard', async ({
    page,
  }) => {
    test.setTimeout(60_000);
    const name = 'oa4_launch.webm';
    // The page's audio was started while it was idle, before any clip (not while one opens).
    await expect.poll(async () => (await api(page).videoState()).audioContexts).toBe(1);
    await app.openClip(name);
    const opened = await api(page).videoState();
    expect(opened.audio).toMatchObject({ codec: 'vorbis', heard: null });
    await page.getByTestId('video.play').click();
    await expect
      .poll(async () => (await api(page).videoState()).audio?.heard ?? 0)
      .toBeGreaterThan(1.5);
    for (let i = 0; i < 5; i++) {
      const s = await api(page).videoState();
      expect(s.playing).toBe(true);
      expect(s.audio!.scheduled).toBeGreaterThan(0);
      // The picture is the frame of the moment being heard (a frame is 42 ms; rendering adds some).
      expect(Math.abs(s.time - s.audio!.heard!)).toBeLessThan(0.25);
      await page.waitForTimeout(200);
    }
    await page.getByTestId('video.play').click(); // pause
    await expect.poll(async () => (await api(page).videoState()).audio?.heard).toBeNull();
    // Another clip with sound plays through the same AudioContext (closing the first clip's
    // player left it open).
    await app.openClip(name, fixture(name));
    await page.getByTestId('video.play').click();
    await expect
      .poll(async () => (await api(page).videoState()).audio?.heard ?? 0)
      .toBeGreaterThan(0.5);
    expect((await api(page).videoState()).audioContexts).toBe(1);
  });

  test('bad files: a clear message each, and the picture and page stay as they were', async ({
    page,
  }) => {
    const good = fixture('realshort.mp4');
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated.mp4', good.subarray(0, 20_000), /damaged or truncated|could not be decoded/],
      ['photo.mp4', fixture('chelsea.png'), /not a video container/],
      ['hevc.mp4', await hevcMp4(), /codec \(hevc\) cannot be decoded/],
      ['audio-only.webm', await audioOnlyWebm(), /no video track/],
      ['empty.webm', new Uint8Array(0), /empty/],
    ];
    for (const [name, bytes, message] of cases) {
      await app.dropFiles([{ name, bytes }]);
      await expect(app.notices.filter({ hasText: name })).toContainText(message);
      await expect(page.getByTestId('viewer.image-info')).toContainText('chelsea.png');
      expect(await app.status()).toBe('ready');
    }
    expect((await api(page).videoState()).liveFrames).toBe(0);
    // Still usable: a good video opens after all that.
    await app.openClip('realshort.mp4', good);
  });
});

/**
 * The export's download; rejects at once with the app's own message when the export fails (a
 * failed export downloads nothing: waiting for it would only end at the test's time-out).
 */
function exportDownload(page: Page): Promise<Download> {
  const failed = page.getByTestId('notice').filter({ hasText: 'Export failed' });
  return Promise.race([
    page.waitForEvent('download', { timeout: 0 }),
    failed.waitFor({ timeout: 0 }).then(async () => {
      throw new Error(`the export failed: ${await failed.innerText()}`);
    }),
  ]);
}

/** Opens `name` over a photo with `effect` in the chain, and starts exporting it. */
async function startExport(
  page: Page,
  name: string,
  format: string,
  quality: string,
  effect: [string, string] | null,
  setUp: () => Promise<unknown> = async () => {},
): Promise<{ app: TriadPage; download: Promise<Download> }> {
  const app = new TriadPage(page);
  await app.gotoWithImage('chelsea.png');
  if (effect) await app.addEffect(...effect);
  await app.dropFiles([{ name, bytes: fixture(name) }]);
  await setUp();
  await page.getByTestId('export-video.toggle').click();
  await page.getByTestId('export-video.format').selectOption(format);
  await page.getByTestId('export-video.quality').selectOption(quality);
  const download = exportDownload(page);
  await page.getByTestId('export-video.start').click();
  return { app, download };
}

/** Opens an exported file as the video source; resolves with what the app read of it. */
async function reopen(page: Page, app: TriadPage, name: string, bytes: Buffer) {
  await app.openClip(name, bytes);
  return api(page).videoState();
}

/**
 * The frames of an export of the open video through one invert that are not its inverse (PSNR at
 * most 28 dB), each with its mean beside its source's: 255 is the inverse of a source read as
 * zeros. Reopens the export as the video.
 */
async function wrongFrames(page: Page, app: TriadPage, bytes: Buffer): Promise<string[]> {
  const source = await api(page).videoThumbnails(80);
  const state = await reopen(page, app, 'exported.webm', bytes);
  expect(state.info).toMatchObject({ codec: 'vp9', frameCount: source.length });
  const exported = await api(page).videoThumbnails(80);
  expect(exported).toHaveLength(source.length);
  const mean = (img: { data: number[] }) =>
    Math.round(img.data.reduce((a, b) => a + b, 0) / img.data.length);
  return exported.flatMap((frame, i) => {
    const db = Math.round(psnr(frame, invertedOf(source[i])));
    return db > 28 ? [] : [`frame ${i}: ${db} dB, mean ${mean(frame)} (source ${mean(source[i])})`];
  });
}

const invertedOf = (image: { width: number; height: number; data: number[] }) => ({
  ...image,
  data: image.data.map((v, i) => (i % 4 === 3 ? v : 255 - v)),
});

test.describe('video export', () => {
  test('exports every frame through the chain, with the source’s frame count, duration and audio', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const name = 'realshort.mp4';
    const expected = MANIFEST[name];
    const { app, download } = await startExport(page, name, 'webm-vp9', 'high', [
      'invert',
      'invert',
    ]);
    await expect(page.getByTestId('viewer.progress')).toBeVisible();
    expect((await download).suggestedFilename()).toBe('realshort-triad.webm');
    const bytes = readFileSync((await (await download).path())!);
    await expect(app.notices.filter({ hasText: 'Video exported' })).toContainText(
      `${expected.frameCount} frames`,
    );

    // Re-decoded: the same frames at the same times, and the effect in the pixels.
    const source = await api(page).videoFramePixels(20);
    const state = await reopen(page, app, 'exported.webm', bytes);
    expect(state.info).toMatchObject({ codec: 'vp9', frameCount: expected.frameCount });
    expect(state.info!.duration).toBeCloseTo(expected.duration, 1);
    expect(state.info!.audio).not.toBeNull();
    const decoded = await api(page).videoTimestamps();
    decoded.forEach((t, i) => expect(t).toBeCloseTo(expected.timestamps[i], 2));
    const exported = await api(page).videoFramePixels(20);
    // CI (lavapipe) twice had 3.7 dB here after other tests, never alone: say what it was.
    const mean = (img: { data: number[] }) =>
      Math.round(img.data.reduce((a, b) => a + b, 0) / img.data.length);
    const { uploadPath, uploadFailures } = await api(page).videoState();
    const seen = `vs source ${psnr(exported, source).toFixed(1)} dB, means ${mean(exported)}/${mean(source)}, ${exported.width}×${exported.height}, upload ${uploadPath} ${JSON.stringify(uploadFailures)}`;
    expect(psnr(exported, invertedOf(source)), seen).toBeGreaterThan(28);
    expect(psnr(exported, source)).toBeLessThan(15);
  });

  test('with three frames in flight the export overlaps frames and still writes every frame once, in order', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const name = 'realshort.mp4';
    const expected = MANIFEST[name];
    const app = new TriadPage(page);
    await app.gotoWithImage('chelsea.png');
    await api(page).setFramesInFlight(3);
    await app.addEffect('invert', 'invert');
    // On the CPU: a frame waits on the workers while the next one starts.
    await app.stage(0).getByTestId('stage.target').selectOption('cpu');
    await app.dropFiles([{ name, bytes: fixture(name) }]);
    await page.getByTestId('export-video.toggle').click();
    await page.getByTestId('export-video.format').selectOption('webm-vp9');
    await page.getByTestId('export-video.quality').selectOption('high');
    const download = exportDownload(page);
    await page.getByTestId('export-video.start').click();
    const bytes = readFileSync((await (await download).path())!);
    await expect(app.notices.filter({ hasText: 'Video exported' })).toContainText(
      `${expected.frameCount} frames`,
    );
    const after = await api(page).videoState();
    expect(after.exportInFlight).toBe(3);
    expect(after.exportPeakRunning).toBeGreaterThan(1);
    // Each frame where it belongs: frames 5 and 20 equal the inverse of the source's own.
    const sources = [await api(page).videoFramePixels(5), await api(page).videoFramePixels(20)];
    await reopen(page, app, 'exported.webm', bytes);
    expect((await api(page).videoState()).info!.frameCount).toBe(expected.frameCount);
    const exported = [await api(page).videoFramePixels(5), await api(page).videoFramePixels(20)];
    expect(psnr(exported[0], invertedOf(sources[0]))).toBeGreaterThan(28);
    expect(psnr(exported[1], invertedOf(sources[1]))).toBeGreaterThan(28);
    expect(psnr(exported[1], invertedOf(sources[0]))).toBeLessThan(
      psnr(exported[1], invertedOf(sources[1])),
    );
  });

  test('under Auto the export runs the frames in flight its planner recommends', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const name = 'realshort.mp4';
    const app = new TriadPage(page);
    await app.gotoWithImage('chelsea.png');
    await app.addEffect('invert', 'invert');
    await app.addEffect('grain', 'film-grain');
    await app.dropFiles([{ name, bytes: fixture(name) }]);
    await page.getByTestId('chain.placement').selectOption('auto');
    // Enough frames for the scheduler to measure every stage on every target, at this size.
    await expect
      .poll(
        async () => {
          for (let i = 0; i < 10; i++) await api(page).renderNow();
          return (await api(page).schedulerState('auto')).calibrating;
        },
        { timeout: 120_000 },
      )
      .toBe(false);
    const recommended = await api(page).recommendInFlight('auto');
    expect(recommended!.fps).toHaveLength(4);
    // The app's own setting differs: the export must follow the planner, not the setting.
    await api(page).setFramesInFlight(recommended!.inFlight === 1 ? 4 : 1);
    await page.getByTestId('export-video.toggle').click();
    await page.getByTestId('export-video.format').selectOption('webm-vp9');
    const download = exportDownload(page);
    await page.getByTestId('export-video.start').click();
    await download;
    await expect(app.notices.filter({ hasText: 'Video exported' })).toContainText(
      `${MANIFEST[name].frameCount} frames`,
    );
    // The export asks the planner when it starts (its answer can move between counts that
    // predict nearly the same rate as frames are measured: 3, then 4, then 2 seen in CI). It ran
    // what the planner answered then — the fewest frames within 3% of the fastest it predicted
    // — not the app's setting.
    const state = await api(page).videoState();
    expect(state.exportRecommended).not.toBeNull();
    const asked = state.exportRecommended!;
    expect(asked.fps).toHaveLength(4);
    const best = Math.max(...asked.fps);
    expect(asked.inFlight).toBe(asked.fps.findIndex((f) => f >= 0.97 * best) + 1);
    expect(state.exportInFlight).toBe(asked.inFlight);
  });

  test('an AV1 export in MP4 decodes back to the same frames (AV1 in, AV1 out)', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    const name = 'realshort.mp4';
    const expected = MANIFEST[name];
    const { app, download } = await startExport(page, name, 'mp4-av1', 'low', null);
    const bytes = readFileSync((await (await download).path())!);
    const state = await reopen(page, app, 'exported-av1.mp4', bytes);
    expect(state.info).toMatchObject({ codec: 'av1', frameCount: expected.frameCount });
    expect(state.decoder).toBe('webcodecs');
    const decoded = await api(page).videoTimestamps();
    expect(decoded).toHaveLength(expected.frameCount);
  });

  test('a GPU device lost mid-export: the export goes on on the new device, every frame once', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const name = 'realshort.mp4';
    const expected = MANIFEST[name];
    const { app, download } = await startExport(page, name, 'webm-vp9', 'high', [
      'invert',
      'invert',
    ]);
    // A quarter of the way in, the device goes away.
    const lostAt = await page.evaluate(async () => {
      const api = window.__triad;
      while ((api.state().progress ?? 0) < 0.25) await new Promise((r) => setTimeout(r, 5));
      const progress = api.state().progress;
      api.loseDevice();
      return progress;
    });
    expect(lostAt).toBeLessThan(0.9);
    const bytes = readFileSync((await (await download).path())!);
    await expect(app.notices.filter({ hasText: 'Video exported' })).toContainText(
      `${expected.frameCount} frames`,
    );
    // One new device for the loss, and one for each frame the GPU held wrong (Chromium's GL
    // backend does, now and then, after other tests in the same browser): see the next test.
    const { exportMismatches } = await api(page).videoState();
    expect((await api(page).state()).deviceGeneration).toBeGreaterThanOrEqual(
      2 + exportMismatches.length,
    );

    // Every frame, not one: a frame rendered across the loss, or any after it, with pixels its
    // chain did not make (CI once had frame 30 of 36 at 6 dB: not inverted, or not that frame).
    expect(
      await wrongFrames(page, app, bytes),
      `lost at ${((lostAt ?? 0) * 100).toFixed(0)}%`,
    ).toEqual([]);
  });

  test('a frame whose source the GPU holds wrong is rendered again on a new device; wrong again, the export stops and saves nothing', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const name = 'realshort.mp4';
    const expected = MANIFEST[name];
    // Frame 10's source reads black once (Chromium's GL backend has done so, with no error).
    const { app, download } = await startExport(
      page,
      name,
      'webm-vp9',
      'high',
      ['invert', 'invert'],
      () => api(page).blackSourceInExport(9, 1),
    );
    const bytes = readFileSync((await (await download).path())!);
    await expect(app.notices.filter({ hasText: 'Video exported' })).toContainText(
      `${expected.frameCount} frames`,
    );
    // (Frame 10 and any the GL backend held wrong by itself.)
    await expect(app.notices.filter({ hasText: 'Video exported' })).toContainText(
      /The GPU returned wrong pixels for frames? ([0-9]+, )*10(, [0-9]+)*; (it was|they were) rendered again on a new GPU device\./,
    );
    const mismatched = (await api(page).videoState()).exportMismatches;
    expect(mismatched.map((m) => m.frame)).toContain(9);
    expect(mismatched.find((m) => m.frame === 9)!.difference).toBeGreaterThan(100);
    expect((await api(page).state()).deviceGeneration).toBeGreaterThanOrEqual(
      1 + mismatched.length,
    );
    expect(await wrongFrames(page, app, bytes)).toEqual([]);

    // Black each time it is rendered: the export stops rather than write it, and says why.
    let downloads = 0;
    page.on('download', () => downloads++);
    await api(page).blackSourceInExport(4, 2);
    await page.getByTestId('export-video.toggle').click();
    await page.getByTestId('export-video.start').click();
    await expect(app.notices.filter({ hasText: 'Export failed' })).toContainText(
      'the GPU held frame 5 with pixels that are not the video',
    );
    await expect(app.notices.filter({ hasText: 'Export failed' })).toContainText(
      'Nothing was saved',
    );
    expect(downloads).toBe(0);
    expect(await app.status()).toBe('ready');
  });

  test('an export whose frame never finishes stops with a message saying where, instead of waiting forever', async ({
    page,
  }) => {
    const app = new TriadPage(page);
    await app.gotoWithImage('chelsea.png');
    await app.openClip();
    // A frame that never finishes, as after a GPU process or decoder that stopped answering (a
    // CI export once waited four minutes for one); the limit is 60 s in the app, 3 s here.
    const ended = await api(page).exportThatStalls(7, 3);
    expect(ended.error).toBe('no frame finished for 3 s, so the export stopped at frame 8');
    expect(ended.seconds).toBeLessThan(60); // stopped by the watchdog, not the test's timeout
    // Without the stuck frame the same export finishes.
    expect((await api(page).exportThatStalls(1000, 3)).error).toBeNull();
  });

  test('an export whose frame fails ends with that frame’s error, whatever the frames in flight', async ({
    page,
  }) => {
    const app = new TriadPage(page);
    await app.gotoWithImage('chelsea.png');
    await app.openClip();
    for (const inFlight of [1, 2, 4])
      for (const failAt of [0, 4, 35])
        expect(await api(page).exportThatFails(failAt, inFlight), `${inFlight} in flight`).toBe(
          `frame ${failAt + 1} broke`,
        );
    expect(await api(page).exportThatFails(1000, 4)).toBeNull();
  });

  test('a cancelled export saves nothing and says so', async ({ page }) => {
    test.setTimeout(120_000);
    const app = new TriadPage(page);
    await app.gotoWithImage('chelsea.png');
    await app.addEffect('blur', 'gaussian-blur');
    let downloads = 0;
    page.on('download', () => downloads++);
    await app.dropFiles([{ name: 'oa4_launch.webm', bytes: fixture('oa4_launch.webm') }]);
    await page.getByTestId('export-video.toggle').click();
    await page.getByTestId('export-video.start').click();
    await expect(page.getByTestId('viewer.progress')).toBeVisible();
    await page.getByTestId('viewer.cancel').click();
    await expect(app.notices.filter({ hasText: 'Export cancelled' })).toBeVisible();
    await expect(page.getByTestId('viewer.busy')).toBeHidden();
    expect(downloads).toBe(0);
    expect(await app.status()).toBe('ready');
  });
});

test('the webcam (Chromium’s fake camera) is a live source: frames flow through the chain (and on after a device loss), late ones are dropped, stopping closes them all', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const app = new TriadPage(page);
  await app.gotoWithImage('chelsea.png');
  await app.addEffect('blur', 'gaussian-blur');
  await page.getByTestId('camera.toggle').click();
  await expect(page.getByTestId('camera.device').locator('option')).not.toHaveCount(1);
  expect((await api(page).cameraState()).on).toBe(false);
  await page.getByTestId('camera.start').click();
  await expect(page.getByTestId('camera.status')).toBeVisible();
  await expect
    .poll(async () => (await api(page).cameraState()).shown, { timeout: 30_000 })
    .toBeGreaterThan(20);
  const running = await api(page).cameraState();
  expect(running.on).toBe(true);
  expect(running.size![0]).toBeGreaterThan(0);
  expect(running.peakLive).toBeLessThanOrEqual(3);
  await expect(page.getByTestId('viewer.image-info')).toContainText(
    `${running.size![0]}×${running.size![1]}`,
  );
  // The picture on screen is the camera's, through the chain (not the photo any more).
  const frame = await api(page).renderNow();
  expect(frame!.ran.map((r) => r.target)).toEqual(['gpu']);
  // Compare mode needs the same frames under each strategy: it says why a camera cannot.
  await page.getByTestId('compare.run').click();
  const refused = app.notices.filter({ hasText: 'Compare failed' });
  await expect(refused).toContainText('a camera’s frames differ from run to run');
  expect(await api(page).compareTable()).toBeNull();
  await refused.getByTestId('notice.dismiss').click();
  // A device loss: the stream stays attached and its frames flow on the new device.
  const before = (await api(page).cameraState()).shown;
  await api(page).loseDevice();
  await expect.poll(async () => (await api(page).state()).deviceGeneration).toBe(2);
  await expect
    .poll(async () => (await api(page).cameraState()).shown, { timeout: 30_000 })
    .toBeGreaterThan(before + 10);
  expect((await api(page).cameraState()).on).toBe(true);
  // One at a time (a card may fade meanwhile: a list taken first would go stale).
  while ((await app.notices.count()) > 0)
    await app.notices
      .first()
      .getByTestId('notice.dismiss')
      .click({ timeout: 5_000 })
      .catch(() => {}); // it faded first: the count says whether any is left
  await page.getByTestId('camera.stop').click();
  await expect.poll(() => api(page).cameraState()).toMatchObject({ on: false, liveFrames: 0 });
  expect(await app.status()).toBe('ready');
});
