// The session without a browser: its frame loop on a real GPUDevice from Dawn in Node
// (src/gpu/dawn-node.ts), CPU stages on real worker threads running the browser's CPU worker
// (src/headless/cpu-worker.ts), frames presented into a texture and read back, checked against
// the CPU reference kernels.
import { dawnGpu } from '../gpu/dawn-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage, type RgbaImage } from '../core/image';
import { CpuPool } from '../cpu';
import { EMPTY_CHAIN, addStage, setParam, setTarget, type Chain } from '../effects/chain';
import { findEntry } from '../effects/catalogue';
import type { EffectEnv } from '../effects/effect';
import { Engine, diffImages, runChainOnCpu, type FrameStats } from '../engine';
import { Presenter, readTexture, textureTarget } from '../gpu';
import { nodeCpuWorker } from '../headless/cpu-worker';
import type { DeviceStatus } from './device';
import { Session } from './session';
import { HOST_TIMERS } from './timers';
import { ScenePlayer } from './scene-player';
import { DEFAULT_CAMERA } from '../scene/orbit';

const [W, H] = [64, 48];
const env: EffectEnv = { lut: () => undefined };

/** An opaque test picture (the presenter composites transparency over a checkerboard). */
function picture(): RgbaImage {
  const image = createImage(W, H);
  let seed = 11;
  const noise = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      image.data.set([(x * 255) / W, (y * 255) / H, noise(), 255], i);
    }
  return image;
}

/** Grain on the GPU, invert on the CPU workers, vignette on the GPU: two excursions of pixels. */
function mixedChain(): Chain {
  let chain = EMPTY_CHAIN;
  for (const id of ['film-grain', 'invert', 'vignette']) chain = addStage(chain, findEntry(id)!);
  const [grain, invert, vignette] = chain.stages;
  chain = setParam(chain, grain.id, 'amount', 60);
  chain = setTarget(chain, grain.id, 'gpu');
  chain = setTarget(chain, invert.id, 'cpu');
  return setTarget(chain, vignette.id, 'gpu');
}

const entry = dawnGpu();
const cpu = new CpuPool(2, { create: nodeCpuWorker });
const source = picture();
const chain = mixedChain();
let index = 0;
const statuses: DeviceStatus[] = [];
const errors: string[] = [];
const losses: string[] = [];
/** Why each device was lost on purpose for holding pixels nothing drew (null: another loss). */
const heldWrongs: (string | null)[] = [];
const presented: FrameStats[] = [];
const targets: ReturnType<typeof textureTarget>[] = [];
const session = new Session(
  {
    gpu: { compatibility: true, gpu: entry },
    timers: HOST_TIMERS,
    requestFrame: (callback) => setTimeout(callback, 0),
    inFlight: () => 2,
    createEngine: (gpu) => new Engine(gpu, env, cpu),
    frame: () => ({
      chain,
      index,
      view: { zoom: 1, centre: [W / 2, H / 2], split: null },
      previews: {},
    }),
  },
  {
    status: (status) => statuses.push(status),
    error: (message) => errors.push(message),
    lost: (message, _recovering, heldWrong) => {
      losses.push(message);
      heldWrongs.push(heldWrong);
    },
    frame: (stats) => presented.push(stats),
  },
);
/** The still image as the session's one source: a new device gets it again. */
const still = { restore: () => session.engine?.setSource(source), release: () => {} };

/** What the output shows now, and what the CPU reference makes of frame `index`. */
async function shownAndExpected(frame: number): Promise<[RgbaImage, RgbaImage]> {
  const gpu = session.gpu!;
  const shown = await readTexture(gpu, targets.at(-1)!.target);
  const input = await session.engine!.readSource();
  return [shown, runChainOnCpu(chain, input, { index: frame }, env)];
}

/** The 3D scene as the session's one source (not started): a new device draws it again. */
async function sceneAsSource() {
  const host = session.sourceHost({
    showSource: () => {},
    setFrameIndex: (i) => (index = i),
    onError: (reason) => errors.push(reason),
  });
  const state = {
    active: false,
    playing: true,
    width: W,
    height: H,
    camera: { ...DEFAULT_CAMERA },
    time: 0,
    shown: 0,
  };
  const scene = new ScenePlayer(host, state, HOST_TIMERS, (callback) => setTimeout(callback, 0));
  await session.sources.take({ restore: () => scene.restore(), release: () => scene.stop() });
  return { scene, state };
}

beforeAll(async () => {
  session.attachOutput({
    size: () => [W, H],
    presenter: (gpu) => {
      const target = textureTarget(gpu, W, H);
      targets.push(target);
      return new Presenter(gpu, target);
    },
  });
  await session.start();
  session.engine!.setSource(source);
  await session.sources.take(still);
});

afterAll(() => {
  session.dispose();
  cpu.destroy();
});

describe('the session on Dawn in Node (no browser, no DOM)', () => {
  it('renders a mixed GPU/CPU chain through its frame loop and presents the CPU reference’s pixels', async () => {
    index = 5;
    const stats = await session.renderAlone();
    expect(stats?.ran.map((r) => r.target)).toEqual(['gpu', 'cpu', 'gpu']);
    expect(stats?.readbacks).toBeGreaterThan(0); // the CPU stage's pixels really left the GPU
    const [shown, expected] = await shownAndExpected(5);
    const diff = diffImages(shown, expected, 2);
    expect(diff.over, JSON.stringify(diff.firstOver)).toBe(0);
    expect(diffImages(shown, source, 0).over).toBeGreaterThan(0); // not the source itself
    // What the test build reads a canvas frame back from: the texture the frame was drawn into.
    expect(session.presenter?.drawn).toBe(targets.at(-1)!.target);
    expect(errors).toEqual([]);
  });

  it('two frames in flight: the second starts while the first waits on the CPU, each presented in turn', async () => {
    const engine = session.engine!;
    engine.peakRunning = 0;
    index = 1;
    const first = await session.startFrame();
    index = 2;
    const second = await session.startFrame();
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(engine.peakRunning).toBe(2);
    expect([a?.frame, b?.frame]).toEqual([1, 2]);
    expect(presented.slice(-2).map((s) => s.frame)).toEqual([1, 2]);
    // Presented in order: the output shows the second frame, right to the last pixel.
    const [shown, expected] = await shownAndExpected(2);
    expect(diffImages(shown, expected, 2).over).toBe(0);
    // Grain is seeded by the frame: frame 1 would differ.
    const [, other] = await shownAndExpected(1);
    expect(diffImages(shown, other, 0).over).toBeGreaterThan(0);
  });

  it('after a device loss, a frame asked for is rendered on the new device with the source restored', async () => {
    const lost = session.gpu!;
    index = 7;
    session.device.lose();
    const stats = await session.renderNow();
    expect(stats).not.toBeNull();
    expect(session.gpu).not.toBe(lost);
    expect(session.device.generation).toBe(2);
    expect(statuses).toContain('recovering');
    expect(statuses.at(-1)).toBe('ready');
    const [shown, expected] = await shownAndExpected(7);
    expect(diffImages(shown, expected, 2).over).toBe(0);
    expect(diffImages(await session.engine!.readSource(), source, 0).over).toBe(0);
  });

  it('a still image the GPU stopped holding as uploaded is not shown: the frame is rendered again on a new device', async () => {
    const engine = session.engine!;
    const before = session.gpu!;
    expect(engine.guardsMemory).toBe(true); // a compatibility-mode adapter, as Chromium's GL backend
    index = 4;
    expect(await session.renderNow()).not.toBeNull(); // intact: shown on this device
    expect(session.gpu).toBe(before);
    engine.blackOutSource(); // as the GL backend does now and then, with no GPU error
    const stats = await session.renderNow();
    expect(stats).not.toBeNull();
    expect(losses.at(-1)).toMatch(
      /^The GPU returned pixels that nothing drew: .* bytes of the checked rows/,
    );
    expect(session.gpu).not.toBe(before);
    expect(session.engine).not.toBe(engine);
    // Shown on the new device from the image restored there: the chain's output, not of black.
    const [shown, expected] = await shownAndExpected(4);
    expect(diffImages(shown, expected, 2).over).toBe(0);
    expect(diffImages(await session.engine!.readSource(), source, 0).over).toBe(0);
    expect(heldWrongs.at(-1)).toBe('checked'); // the app says the image was not shown wrong
    expect(errors).toEqual([]); // a loss with its reason, not a rendering error
  });

  it('a still read back at full resolution survives its device lost during the readback: rendered again on the new one', async () => {
    const before = session.gpu!;
    // What else must move to the new device first (the app's AI runtimes) settles a while after
    // it is ready: the image is rendered there only then.
    let moved = false;
    let renderedBeforeMoved: boolean | null = null;
    const image = session.renderImage(chain, { index: 3 }, async () => {
      const engine = session.engine!;
      const render = engine.renderToImage.bind(engine);
      engine.renderToImage = (...args) => ((renderedBeforeMoved = !moved), render(...args));
      await new Promise((r) => setTimeout(r, 50));
      moved = true;
    });
    session.device.lose(); // its work and readback fail with the device
    const pixels = await image;
    expect(session.gpu).not.toBe(before);
    expect(renderedBeforeMoved).toBe(false);
    const expected = runChainOnCpu(chain, source, { index: 3 }, env);
    expect(diffImages(pixels, expected, 2).over).toBe(0);
  });

  it('a still read back at full resolution from a GPU that stopped holding it as uploaded is rendered on a new device, not written wrong', async () => {
    const engine = session.engine!;
    engine.blackOutSource();
    const pixels = await session.renderImage(chain, { index: 5 });
    expect(session.engine).not.toBe(engine);
    expect(heldWrongs.at(-1)).toBe('checked');
    const expected = runChainOnCpu(chain, source, { index: 5 }, env);
    expect(diffImages(pixels, expected, 2).over).toBe(0);
  });

  it('a frame whose GPU work never finishes on a lost device settles, so nothing waits on it for good', async () => {
    const engine = session.engine!;
    // GPU work that stays pending for good, as a dead GPU process can leave it.
    engine.render = () => new Promise<never>(() => {});
    const { done } = await session.startFrame({ retryAfterLoss: false });
    session.device.lose();
    expect(await done).toBeNull(); // failed with its device, after LOST_FRAME_GRACE_MS
    // The session goes on: a frame asked for now is rendered on the new device.
    const stats = await session.renderNow();
    expect(stats).not.toBeNull();
    expect(session.engine).not.toBe(engine);
  });

  it('the 3D scene as the source: the frame loop animates it through the chain until held', async () => {
    const { scene, state } = await sceneAsSource();
    const before = presented.length;
    scene.start();
    await expect.poll(() => presented.length - before, { timeout: 20_000 }).toBeGreaterThan(4);
    scene.hold();
    await session.idle();
    const held = presented.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(presented.length).toBe(held); // held: nothing more is drawn or rendered
    expect(state.shown).toBeGreaterThanOrEqual(held - before);
    expect(state.time).toBeGreaterThan(0);
    const last = presented.at(-1)!;
    expect(last.ran.map((r) => r.target)).toEqual(['gpu', 'cpu', 'gpu']);
    // The last frame drawn is the source now, and what is shown is the chain's output of it.
    const [shown, expected] = await shownAndExpected(last.frame);
    expect(diffImages(shown, expected, 2).over).toBe(0);
    expect(errors).toEqual([]);
    scene.stop();
  });

  it('the 3D scene on a GPU that loses what was drawn: the watch beside its frames finds it, and the frames go on on a new device', async () => {
    const { scene } = await sceneAsSource();
    scene.start();
    await expect.poll(() => presented.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const engine = session.engine!;
    const before = session.gpu!;
    const lossesBefore = losses.length;
    expect(engine.guardsMemory).toBe(true); // a compatibility-mode adapter
    engine.blackOutCanary(); // as the GL backend does now and then, with no GPU error
    await expect.poll(() => losses.length, { timeout: 20_000 }).toBe(lossesBefore + 1);
    expect(losses.at(-1)).toMatch(/^The GPU returned pixels that nothing drew: .* canary/);
    expect(heldWrongs.at(-1)).toBe('watched');
    // The scene goes on by itself on the new device: frames rendered there, none failed.
    await expect.poll(() => session.gpu !== before && session.engine !== null).toBe(true);
    const after = presented.length;
    await expect.poll(() => presented.length - after, { timeout: 20_000 }).toBeGreaterThan(4);
    scene.hold();
    await session.idle();
    const last = presented.at(-1)!;
    const [shown, expected] = await shownAndExpected(last.frame);
    expect(diffImages(shown, expected, 2).over).toBe(0);
    expect(losses.length).toBe(lossesBefore + 1); // the new device's watch finds nothing wrong
    expect(errors).toEqual([]);
    scene.stop();
  });
});
