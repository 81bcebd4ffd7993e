import { describe, expect, it } from 'vitest';
import { ViewState } from './view.svelte';

const canvas: [number, number] = [801, 600];
const image: [number, number] = [1600, 900];

/** The image pixel (fractional) under canvas pixel centre (x, y), as present.wgsl computes it. */
function imageAt(view: ViewState, x: number, y: number): [number, number] {
  const t = view.transform(canvas, image);
  return [
    (x + 0.5 - canvas[0] / 2) / t.zoom + t.centre[0],
    (y + 0.5 - canvas[1] / 2) / t.zoom + t.centre[1],
  ];
}

describe('viewer transform', () => {
  it('fits the whole image inside the canvas, centred', () => {
    const view = new ViewState();
    const t = view.transform(canvas, image);
    expect(t.zoom).toBeCloseTo(801 / 1600);
    expect(t.centre).toEqual([800, 450]);
  });

  it('never enlarges a small image when fitting', () => {
    expect(new ViewState().transform(canvas, [100, 50]).zoom).toBe(1);
  });

  it('puts every canvas pixel on a texel centre at 100%, whatever the parity of the sizes', () => {
    const view = new ViewState();
    view.actualSize();
    for (const [x, y] of [
      [0, 0],
      [400, 300],
      [800, 599],
    ]) {
      const [ix, iy] = imageAt(view, x, y);
      expect(ix % 1).toBeCloseTo(0.5);
      expect(iy % 1).toBeCloseTo(0.5);
    }
  });

  it('zooming keeps the image point under the cursor in place', () => {
    const view = new ViewState();
    const before = imageAt(view, 100, 200);
    view.zoomBy(2.5, [100.5, 200.5], canvas, image);
    const after = imageAt(view, 100, 200);
    expect(after[0]).toBeCloseTo(before[0]);
    expect(after[1]).toBeCloseTo(before[1]);
  });

  it('panning moves the picture with the pointer', () => {
    const view = new ViewState();
    view.actualSize();
    const before = imageAt(view, 300, 300);
    view.panBy(40, -10, canvas, image);
    const after = imageAt(view, 340, 290);
    expect(after).toEqual(before);
  });

  it('finds the image pixel under a canvas point (the colour picker), null off the image', () => {
    const view = new ViewState();
    for (const zoom of ['fit', 1, 3] as const) {
      if (zoom === 'fit') view.fit();
      else view.zoomBy(zoom / view.transform(canvas, image).zoom, [400, 300], canvas, image);
      for (const [x, y] of [
        [100, 200],
        [400, 300],
        [700, 450],
      ]) {
        const [ix, iy] = imageAt(view, x, y);
        expect(view.imagePixel([x + 0.5, y + 0.5], canvas, image)).toEqual([
          Math.floor(ix),
          Math.floor(iy),
        ]);
      }
    }
    view.fit();
    // Fitted, the 1600×900 image leaves bands above and below on an 801×600 canvas.
    expect(view.imagePixel([400, 10], canvas, image)).toBeNull();
  });

  it('places the split line at its fraction of the canvas width only when comparing', () => {
    const view = new ViewState();
    expect(view.transform(canvas, image).split).toBeNull();
    view.compare = true;
    view.split = 0.25;
    expect(view.transform(canvas, image).split).toBeCloseTo(200.25);
  });
});
