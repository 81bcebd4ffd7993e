import { fitZoom, type ViewTransform } from '../../gpu/presenter';

export const MIN_ZOOM = 1 / 32;
export const MAX_ZOOM = 32;

/** Viewer state: fit or a fixed zoom, pan, and the before/after split. */
export class ViewState {
  /** 'fit' follows the canvas size; a number is canvas pixels per image pixel. */
  zoom = $state<'fit' | number>('fit');
  /** Image pixel at the canvas centre when not fitting. */
  centre = $state.raw<[number, number] | null>(null);
  compare = $state(false);
  /** Split position as a fraction of the canvas width. */
  split = $state(0.5);

  fit(): void {
    this.zoom = 'fit';
    this.centre = null;
  }

  actualSize(): void {
    this.zoom = 1;
    this.centre = null;
  }

  /** Zooms by `factor` keeping the image point under `at` (canvas pixels) in place. */
  zoomBy(
    factor: number,
    at: [number, number],
    canvas: [number, number],
    image: [number, number],
  ): void {
    const t = this.transform(canvas, image);
    const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, t.zoom * factor));
    const px = (at[0] - canvas[0] / 2) / t.zoom + t.centre[0];
    const py = (at[1] - canvas[1] / 2) / t.zoom + t.centre[1];
    this.zoom = next;
    this.centre = [px - (at[0] - canvas[0] / 2) / next, py - (at[1] - canvas[1] / 2) / next];
  }

  /** Pans by a drag of (dx, dy) canvas pixels. */
  panBy(dx: number, dy: number, canvas: [number, number], image: [number, number]): void {
    const t = this.transform(canvas, image);
    this.zoom = t.zoom;
    this.centre = [t.centre[0] - dx / t.zoom, t.centre[1] - dy / t.zoom];
  }

  /** The image pixel under `at` (canvas pixels), or null outside the image. */
  imagePixel(
    at: [number, number],
    canvas: [number, number],
    image: [number, number],
  ): [number, number] | null {
    const t = this.transform(canvas, image);
    const x = Math.floor((at[0] - canvas[0] / 2) / t.zoom + t.centre[0]);
    const y = Math.floor((at[1] - canvas[1] / 2) / t.zoom + t.centre[1]);
    return x >= 0 && y >= 0 && x < image[0] && y < image[1] ? [x, y] : null;
  }

  transform(canvas: [number, number], image: [number, number]): ViewTransform {
    const zoom = this.zoom === 'fit' ? fitZoom(canvas, image) : this.zoom;
    let centre = this.centre ?? [image[0] / 2, image[1] / 2];
    if (this.centre === null && Number.isInteger(zoom)) {
      // At whole-number zooms, put texel centres on pixel centres so 100% is pixel-exact.
      centre = [
        Math.floor(image[0] / 2) + (canvas[0] % 2) / (2 * zoom),
        Math.floor(image[1] / 2) + (canvas[1] % 2) / (2 * zoom),
      ];
    }
    return { zoom, centre, split: this.compare ? this.split * canvas[0] : null };
  }
}
