// Frames on guarded memory, on a real device (Dawn in Node). A still's frame runs on the image set
// when it was asked for, though the next image is set while its guard check is read back (the
// triad command's batch sets each image and starts its frame at once).
import { describe, expect, it } from 'vitest';
import { createImage } from '../core/image';
import { EMPTY_CHAIN } from '../effects/chain';
import { dawnContext } from '../gpu/dawn-context.test-support';
import { Presenter, textureTarget } from '../gpu';
import { WATCH_INTERVAL_MS } from '../gpu/frame-watch';
import { Engine, HeldWrongError } from './engine';

const context = dawnContext();

const flat = (width: number, value: number) => {
  const image = createImage(width, 8);
  for (let i = 0; i < image.data.length; i += 4) image.data.set([value, value, value, 255], i);
  return image;
};

/** An engine checking memory, presenting into a texture; what its watch tells is kept. */
const setUp = () => {
  const engine = new Engine(context(), { lut: () => undefined });
  engine.guardsMemory = true;
  const told: HeldWrongError[] = [];
  engine.onHeldWrong = (error) => told.push(error);
  const target = textureTarget(engine.gpu, 16, 8);
  const presenter = new Presenter(engine.gpu, target);
  const view = { zoom: 1, centre: [8, 4] as [number, number], split: null };
  const render = (live: boolean, inRun?: boolean) =>
    engine.render(EMPTY_CHAIN, { index: 0, live, inRun }, presenter, view);
  return { engine, told, render };
};

describe('a guarded still', () => {
  it('renders the image set when its frame was asked for, not the one set during its check', async () => {
    const engine = new Engine(context(), { lut: () => undefined });
    engine.guardsMemory = true;
    engine.inFlightLimit = () => 2;
    engine.setSource(flat(16, 40));
    const first = engine.renderToImage(EMPTY_CHAIN, { index: 0 });
    engine.setSource(flat(24, 200)); // while the first frame's guard check is on the GPU
    const second = engine.renderToImage(EMPTY_CHAIN, { index: 1 });
    const [a, b] = await Promise.all([first, second]);
    expect([a.width, a.data[0]]).toEqual([16, 40]);
    expect([b.width, b.data[0]]).toEqual([24, 200]);
    engine.destroy();
  });

  it('in a run of frames (Compare’s feed) is not held up by its check: the check goes beside, and tells', async () => {
    const { engine, told, render } = setUp();
    engine.setSource(flat(16, 40));
    expect(await render(false, true)).toBeTruthy(); // the first check of the run
    engine.blackOutSource(); // as the GL backend does now and then, with no GPU error
    await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
    expect(await render(false, true)).toBeTruthy(); // presented: its check was not awaited
    await expect.poll(() => told.length).toBe(1);
    expect(told[0].what).toBe('watched');
    // Not in a run (a still shown once): waits for its check, and is not presented.
    expect(await render(false).catch((e: unknown) => e)).toBeInstanceOf(HeldWrongError);
    engine.destroy();
  });
});

// A changing source (video, camera, 3D scene) has nothing fixed to compare: the engine's watch
// checks a canary it wrote, and the work textures, instead (src/gpu/frame-watch.ts).
describe('a changing source on watched memory', () => {
  const grey = (engine: Engine, value: number) =>
    engine.drawSource(16, 8, (_encoder, target) =>
      engine.gpu.device.queue.writeTexture(
        { texture: target },
        flat(16, value).data,
        { bytesPerRow: 16 * 4 },
        [16, 8],
      ),
    );

  it('an exported frame is not given out when the canary checked with it reads wrong', async () => {
    const { engine, told } = setUp();
    grey(engine, 90);
    const image = await engine.renderToImage(EMPTY_CHAIN, { index: 0 });
    expect(image.data[0]).toBe(90);
    engine.blackOutCanary(); // as Chromium's GL backend does now and then, with no GPU error
    grey(engine, 120);
    const failed = await engine.renderToImage(EMPTY_CHAIN, { index: 1 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(HeldWrongError);
    expect((failed as HeldWrongError).what).toBe('checked');
    expect(told).toEqual([]); // failed to its caller, not told beside
    engine.destroy();
  });

  it('a paused frame waits for the check and is not presented; a stream’s frame is, and the watch tells', async () => {
    const { engine, told, render } = setUp();
    grey(engine, 90);
    expect((await render(false)).size).toEqual([16, 8]); // intact
    expect(await render(true)).toBeTruthy();
    engine.blackOutCanary();
    const paused = await render(false).catch((e: unknown) => e);
    expect(paused).toBeInstanceOf(HeldWrongError);
    expect(told).toEqual([]);
    // One of a run of frames that is not a stream's (Compare's feed) is not held up either.
    expect(await render(false, true)).toBeTruthy();
    // A stream's frame is not held up: it is presented, and the watch tells what it found.
    await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
    expect(await render(true)).toBeTruthy();
    await expect.poll(() => told.length).toBe(1);
    expect(told[0].what).toBe('watched');
    engine.destroy();
  });
});
