import { describe, expect, it } from 'vitest';
import { addStage, EMPTY_CHAIN, findEffect, setEnabled } from '../../effects';
import { createImage } from '../../effects/image';
import { HISTOGRAM_PREVIEW_WIDTH, SourceHistogramState } from './histogram.svelte';

const withLevels = addStage(EMPTY_CHAIN, findEffect('levels')!);
const source = {};

describe('the source histogram under Levels and Curves', () => {
  it('is read back only while the chain has such a stage, enabled', () => {
    const h = new SourceHistogramState();
    expect(h.widthFor(EMPTY_CHAIN, { source, index: 0 }, false, 0)).toBe(0);
    expect(
      h.widthFor(addStage(EMPTY_CHAIN, findEffect('invert')!), { source, index: 0 }, false, 0),
    ).toBe(0);
    const bypassed = setEnabled(withLevels, withLevels.stages[0].id, false);
    expect(h.widthFor(bypassed, { source, index: 0 }, false, 0)).toBe(0);
    expect(h.widthFor(withLevels, { source, index: 0 }, false, 0)).toBe(HISTOGRAM_PREVIEW_WIDTH);
  });

  it('counts each source frame once, and a playing stream at most every 250 ms', async () => {
    const h = new SourceHistogramState();
    const image = createImage(2, 1);
    image.data.set([10, 20, 30, 255, 10, 200, 30, 255]);
    h.submit({ source, index: 0 }, Promise.resolve(image), 0);
    expect(h.widthFor(withLevels, { source, index: 1 }, false, 1), 'one in flight').toBe(0);
    await Promise.resolve();
    await Promise.resolve();
    expect(h.updates).toBe(1);
    expect([h.data![10], h.data![256 + 20], h.data![256 + 200], h.data![512 + 30]]).toEqual([
      2, 1, 1, 2,
    ]);
    expect(h.widthFor(withLevels, { source, index: 0 }, false, 5), 'the same frame').toBe(0);
    expect(h.widthFor(withLevels, { source: {}, index: 0 }, false, 5), 'a new source').toBe(256);
    expect(h.widthFor(withLevels, { source, index: 1 }, true, 100), 'live, too soon').toBe(0);
    expect(h.widthFor(withLevels, { source, index: 1 }, true, 260), 'live, 260 ms on').toBe(256);
  });

  it('asks again for a frame whose copy was lost (a device loss)', async () => {
    const h = new SourceHistogramState();
    h.submit({ source, index: 3 }, Promise.reject(new Error('lost')), 0);
    await new Promise((r) => setTimeout(r, 0));
    expect(h.widthFor(withLevels, { source, index: 3 }, false, 1)).toBe(256);
    expect(h.data).toBeNull();
  });
});
