import { describe, expect, it } from 'vitest';
import { createImage, type RgbaImage } from '../effects/image';
import { cropImage, planTiles, runTiled, type Tile } from './tiling';

/** A deterministic, non-repeating test picture with varying alpha. */
function noise(w: number, h: number, seed = 1): RgbaImage {
  const img = createImage(w, h);
  let s = seed;
  for (let i = 0; i < img.data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    img.data[i] = s >>> 24;
  }
  return img;
}

/** The reference model for tiling: nearest-neighbour ×scale. */
function nearest(img: RgbaImage, scale: number): RgbaImage {
  const out = createImage(img.width * scale, img.height * scale);
  for (let y = 0; y < out.height; y++)
    for (let x = 0; x < out.width; x++) {
      const from = (Math.floor(y / scale) * img.width + Math.floor(x / scale)) * 4;
      out.data.set(img.data.subarray(from, from + 4), (y * out.width + x) * 4);
    }
  return out;
}

/**
 * Every way the plan breaks what planTiles promises (empty when it keeps it all). Plain checks
 * rather than an `expect` per pixel, so that hundreds of plans stay fast.
 */
function planProblems(
  tiles: Tile[],
  width: number,
  height: number,
  tileSize: number,
  overlap: number,
): string[] {
  const problems: string[] = [];
  const owner = new Int32Array(width * height).fill(-1);
  tiles.forEach((t, i) => {
    const c = t.core;
    const fail = (what: string) =>
      problems.push(
        `${width}×${height} tile ${tileSize} overlap ${overlap}: tile ${i} ${JSON.stringify(t)} ${what}`,
      );
    if (t.x < 0 || t.y < 0 || t.x + t.width > width || t.y + t.height > height)
      fail('is not inside the image');
    if (t.width > tileSize || t.height > tileSize) fail('is bigger than a tile');
    if (c.width < 1 || c.height < 1) fail('has an empty core');
    // The core lies inside the region, with `overlap` of context wherever it is not on the border.
    const left = c.x - t.x;
    const top = c.y - t.y;
    const right = t.x + t.width - (c.x + c.width);
    const bottom = t.y + t.height - (c.y + c.height);
    if (Math.min(left, top, right, bottom) < 0) fail('has its core outside its region');
    if (c.x > 0 && left < overlap) fail(`has ${left} px of context on the left`);
    if (c.y > 0 && top < overlap) fail(`has ${top} px of context on top`);
    if (c.x + c.width < width && right < overlap) fail(`has ${right} px of context on the right`);
    if (c.y + c.height < height && bottom < overlap) fail(`has ${bottom} px of context below`);
    for (let y = Math.max(0, c.y); y < Math.min(height, c.y + c.height); y++)
      for (let x = Math.max(0, c.x); x < Math.min(width, c.x + c.width); x++) {
        if (owner[y * width + x] !== -1)
          fail(`owns (${x}, ${y}), already owned by tile ${owner[y * width + x]}`);
        owner[y * width + x] = i;
      }
  });
  const gap = owner.indexOf(-1);
  if (gap !== -1)
    problems.push(
      `${width}×${height}: (${gap % width}, ${Math.floor(gap / width)}) is owned by no tile`,
    );
  return problems.slice(0, 5);
}

/** Plans the tiles and checks every property planTiles promises; returns the tiles. */
function checkPlan(width: number, height: number, tileSize: number, overlap: number): Tile[] {
  const tiles = planTiles(width, height, tileSize, overlap);
  expect(planProblems(tiles, width, height, tileSize, overlap)).toEqual([]);
  return tiles;
}

describe('planTiles', () => {
  it('partitions the image into cores with enough context, over many sizes', () => {
    const sizes = [1, 2, 3, 7, 31, 32, 33, 63, 64, 65, 66, 97, 127, 128, 129, 200, 257];
    for (const [tileSize, overlap] of [
      [64, 0],
      [64, 8],
      [32, 15],
      [16, 1],
      [5, 2],
    ])
      for (const w of sizes)
        for (const h of [1, 33, 64, 65, 129]) checkPlan(w, h, tileSize, overlap);
  });

  it('has a checker that catches gaps, double ownership and missing context', () => {
    const core = { x: 0, y: 0, width: 10, height: 10 };
    const whole: Tile = { x: 0, y: 0, width: 10, height: 10, core };
    expect(planProblems([whole], 10, 10, 16, 2)).toEqual([]);
    expect(planProblems([], 10, 10, 16, 2)[0]).toMatch(/\(0, 0\) is owned by no tile/);
    expect(planProblems([whole, whole], 10, 10, 16, 2)[0]).toMatch(/already owned by tile 0/);
    const left: Tile = { x: 0, y: 0, width: 6, height: 10, core: { ...core, width: 5 } };
    const right: Tile = { x: 4, y: 0, width: 6, height: 10, core: { ...core, x: 5, width: 5 } };
    expect(planProblems([left, right], 10, 10, 16, 2)).toEqual([
      expect.stringMatching(/tile 0 .* has 1 px of context on the right/),
      expect.stringMatching(/tile 1 .* has 1 px of context on the left/),
    ]);
  });

  it('makes one tile of an image no larger than the tile, whatever the overlap', () => {
    for (const [w, h] of [
      [1, 1],
      [64, 64],
      [64, 1],
      [17, 64],
    ]) {
      expect(planTiles(w, h, 64, 8)).toEqual([
        { x: 0, y: 0, width: w, height: h, core: { x: 0, y: 0, width: w, height: h } },
      ]);
    }
  });

  it('splits one pixel more than a tile into two tiles', () => {
    const tiles = checkPlan(65, 10, 64, 8);
    expect(tiles).toHaveLength(2);
  });

  it('uses the fewest tiles and spreads them evenly: no sliver tile', () => {
    // 1000 px with 128 tiles and 8 overlap: (1000 − 16) / (128 − 16) → 9 tiles per axis.
    const tiles = checkPlan(1000, 300, 128, 8);
    const columns = tiles.filter((t) => t.y === 0);
    expect(columns).toHaveLength(9);
    const widths = columns.map((t) => t.width);
    expect(Math.max(...widths) - Math.min(...widths)).toBeLessThanOrEqual(1);
    const heights = tiles.filter((t) => t.x === 0).map((t) => t.height);
    expect(heights).toHaveLength(3);
    expect(Math.max(...heights) - Math.min(...heights)).toBeLessThanOrEqual(1);
  });

  it('handles tall and wide images', () => {
    expect(checkPlan(3, 500, 32, 4).every((t) => t.x === 0 && t.width === 3)).toBe(true);
    expect(checkPlan(500, 3, 32, 4).every((t) => t.y === 0 && t.height === 3)).toBe(true);
  });

  it('rejects a tile no bigger than twice the overlap, and non-integer or non-positive sizes', () => {
    expect(() => planTiles(100, 100, 16, 8)).toThrow(
      /tileSize \(16\) must be greater than 2 × overlap \(8\)/,
    );
    expect(() => planTiles(100, 100, 0, 0)).toThrow(RangeError);
    expect(() => planTiles(100, 100, 64, -1)).toThrow(/overlap must be an integer ≥ 0/);
    expect(() => planTiles(100, 100, 64.5, 1)).toThrow(/tileSize must be an integer/);
    expect(() => planTiles(0, 100, 64, 1)).toThrow(/width must be an integer ≥ 1/);
    expect(() => planTiles(100, Number.NaN, 64, 1)).toThrow(/height/);
  });
});

describe('cropImage', () => {
  it('copies a rectangle', () => {
    const img = noise(9, 7);
    const crop = cropImage(img, 2, 3, 4, 2);
    expect(crop.width).toBe(4);
    expect(crop.height).toBe(2);
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 4; x++)
        expect([...crop.data.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4)]).toEqual([
          ...img.data.subarray(((y + 3) * 9 + x + 2) * 4, ((y + 3) * 9 + x + 2) * 4 + 4),
        ]);
  });

  it('rejects a rectangle outside the image', () => {
    expect(() => cropImage(noise(9, 7), 6, 0, 4, 2)).toThrow(/not inside the 9×7 image/);
    expect(() => cropImage(noise(9, 7), -1, 0, 4, 2)).toThrow(RangeError);
  });
});

describe('runTiled', () => {
  it('with a nearest-neighbour model, equals the nearest upscale of the whole image', async () => {
    for (const scale of [2, 4])
      for (const [w, h] of [
        [1, 1],
        [16, 16],
        [17, 5],
        [50, 37],
        [33, 70],
      ]) {
        const img = noise(w, h, w * 31 + h);
        const tiled = await runTiled(img, scale, async (t) => nearest(t, scale), {
          tileSize: 16,
          overlap: 3,
        });
        expect(tiled.width).toBe(w * scale);
        expect(tiled.height).toBe(h * scale);
        expect(
          Buffer.from(tiled.data).equals(Buffer.from(nearest(img, scale).data)),
          `${w}×${h} ×${scale}`,
        ).toBe(true);
      }
  });

  it('keeps only each core: a model that marks its tile edges leaves no mark in the output', async () => {
    // The "model" paints the outer `overlap` ring of each non-border side red; with the cores
    // copied correctly none of it survives.
    const img = noise(40, 30);
    const overlap = 3;
    const tiles = planTiles(40, 30, 16, overlap);
    let i = 0;
    const tiled = await runTiled(
      img,
      2,
      async (t) => {
        const tile = tiles[i++];
        const out = nearest(t, 2);
        for (let y = 0; y < out.height; y++)
          for (let x = 0; x < out.width; x++) {
            const ix = x / 2 + tile.x;
            const iy = y / 2 + tile.y;
            const c = tile.core;
            if (ix < c.x || iy < c.y || ix >= c.x + c.width || iy >= c.y + c.height)
              out.data.set([255, 0, 0, 7], (y * out.width + x) * 4);
          }
        return out;
      },
      { tileSize: 16, overlap },
    );
    expect(Buffer.from(tiled.data).equals(Buffer.from(nearest(img, 2).data))).toBe(true);
  });

  it('runs tiles one at a time and reports progress after each', async () => {
    const calls: [number, number][] = [];
    let running = 0;
    let most = 0;
    await runTiled(
      noise(40, 30),
      2,
      async (t) => {
        running++;
        most = Math.max(most, running);
        await Promise.resolve();
        running--;
        return nearest(t, 2);
      },
      { tileSize: 16, overlap: 3, onProgress: (done, total) => calls.push([done, total]) },
    );
    const total = planTiles(40, 30, 16, 3).length;
    expect(total).toBeGreaterThan(4);
    expect(calls).toEqual(Array.from({ length: total }, (_, i) => [i + 1, total]));
    expect(most).toBe(1);
  });

  it('stops between tiles with the signal’s reason when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    let calls = 0;
    const run = runTiled(
      noise(40, 30),
      2,
      async (t) => {
        if (++calls === 2) controller.abort(reason);
        return nearest(t, 2);
      },
      { tileSize: 16, overlap: 3, signal: controller.signal },
    );
    await expect(run).rejects.toBe(reason);
    expect(calls).toBe(2);
  });

  it('does not start when the signal is already aborted', async () => {
    let calls = 0;
    const run = runTiled(
      noise(8, 8),
      2,
      async (t) => {
        calls++;
        return nearest(t, 2);
      },
      { tileSize: 16, overlap: 3, signal: AbortSignal.abort(new Error('gone')) },
    );
    await expect(run).rejects.toThrow('gone');
    expect(calls).toBe(0);
  });

  it('rejects a model result of the wrong size', async () => {
    const run = runTiled(noise(40, 30), 2, async (t) => nearest(t, 4), {
      tileSize: 16,
      overlap: 3,
    });
    await expect(run).rejects.toThrow(
      /tile 0 \(14×14 at 0, 0\): the model returned 56×56, expected 28×28 \(×2\)/,
    );
  });
});
