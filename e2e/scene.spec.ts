import { expect, test } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { api } from './support/api';

/**
 * The 3D preview's SDF scene: the WGSL ray marcher (shaders/sdf-scene.wgsl, through SceneRenderer)
 * against its CPU twin (src/scene/sdf-scene-cpu.ts), pixels read back from the GPU.
 *
 * Measured on lavapipe at 160×90: max difference 1 level, mean ≤ 0.0003, no pixel over 2 levels.
 * The limits leave room for other adapters' float rounding (a grazing ray may flip a few
 * silhouette pixels) yet fail on a 2% change of any scene constant, a 1% change of the focal
 * length, a 0.02 s time offset or a 64-step march (each measured against the CPU twin).
 */
const SIZE = { width: 160, height: 90 };
const LIMITS = { meanAbsDiff: 0.05, over2: 0.005, over8: 0.001 };

const CASES = [
  { name: 'default camera, t = 0', time: 0, camera: { yaw: 0.5, pitch: 0.32, distance: 5.5 } },
  { name: 'low side view, t = 2.7', time: 2.7, camera: { yaw: -1.9, pitch: 0.12, distance: 5 } },
  { name: 'high and close, t = 7.4', time: 7.4, camera: { yaw: 2.6, pitch: 1.0, distance: 3.5 } },
];

type Pixels = { width: number; height: number; data: number[] };

/** Mean absolute difference per RGB channel, in levels. */
function meanDiff(a: Pixels, b: Pixels): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 4)
    for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i + c] - b.data[i + c]);
  return sum / ((a.data.length / 4) * 3);
}

/** Mean RGB of one row. */
function rowMean(img: Pixels, y: number): number[] {
  const sum = [0, 0, 0];
  for (let x = 0; x < img.width; x++)
    for (let c = 0; c < 3; c++) sum[c] += img.data[(y * img.width + x) * 4 + c];
  return sum.map((s) => s / img.width);
}

test('the SDF scene kernel matches its CPU twin and moves with time', async ({ page }) => {
  const app = new TriadPage(page);
  await app.goto();
  expect(await app.status()).toBe('ready');
  const render = (time: number, camera: (typeof CASES)[number]['camera']) =>
    api(page).sceneParity({ ...SIZE, time, camera });

  const images: Pixels[] = [];
  for (const c of CASES) {
    await test.step(c.name, async () => {
      const r = await render(c.time, c.camera);
      const { gpu, ...summary } = r;
      test.info().annotations.push({ type: c.name, description: JSON.stringify(summary) });
      expect(r.gpuErrors).toBe(0);
      expect(r.leaked).toEqual({ textures: 0, buffers: 0 });
      expect([gpu.width, gpu.height]).toEqual([SIZE.width, SIZE.height]);
      expect(r.meanAbsDiff, JSON.stringify(summary)).toBeLessThan(LIMITS.meanAbsDiff);
      expect(r.over2, JSON.stringify(summary)).toBeLessThan(LIMITS.over2);
      expect(r.over8, JSON.stringify(summary)).toBeLessThan(LIMITS.over8);
      images.push(gpu);
    });
  }

  await test.step('the picture is the scene: sky on top, ground below, a red sphere', () => {
    const first = images[0];
    const top = rowMean(first, 0);
    const bottom = rowMean(first, SIZE.height - 1);
    expect(top[2]).toBeGreaterThan(top[0] + 25);
    expect(Math.max(...bottom) - Math.min(...bottom)).toBeLessThan(20);
    let red = 0;
    for (let i = 0; i < first.data.length; i += 4) {
      const [r, g, b] = first.data.slice(i, i + 3);
      if (r > g + 60 && r > b + 60) red++;
    }
    expect(red).toBeGreaterThan(40);
  });

  await test.step('different times and cameras give different pictures; one period repeats', async () => {
    const { camera } = CASES[0];
    const later = (await render(0.5, camera)).gpu;
    expect(meanDiff(images[0], later)).toBeGreaterThan(0.5);
    const turned = (await render(0, { ...camera, yaw: camera.yaw + 0.2 })).gpu;
    expect(meanDiff(images[0], turned)).toBeGreaterThan(2);
    const nextLoop = (await render(12, camera)).gpu;
    expect(nextLoop.data).toEqual(images[0].data);
  });
});

test('the live 3D scene renders on after a device loss', async ({ page }) => {
  await new TriadPage(page).gotoWithImage('chelsea.png');
  await api(page).startScene(160, 90);
  await expect.poll(async () => (await api(page).sceneState()).shown).toBeGreaterThan(5);
  const before = await api(page).sceneState();
  await api(page).loseDevice();
  await expect.poll(async () => (await api(page).state()).deviceGeneration).toBe(2);
  await expect
    .poll(async () => (await api(page).sceneState()).shown, { timeout: 30_000 })
    .toBeGreaterThan(before.shown + 5);
  const after = await api(page).sceneState();
  expect(after.active).toBe(true);
  expect(after.time).toBeGreaterThan(before.time); // still animated, not a frozen frame
});
