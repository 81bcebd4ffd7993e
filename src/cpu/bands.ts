import type { AnyEffect, EffectEnv } from '../effects/effect';
import type { RgbaImage } from '../effects/image';
import type { ParamValues } from '../effects/params';
import type { FrameInfo } from '../gpu/stage';

/**
 * One row band of a frame: output rows [top, bottom), computed from input rows
 * [top − haloTop, bottom + haloBottom) so neighbourhood effects see their real neighbours.
 */
export interface Band {
  top: number;
  bottom: number;
  haloTop: number;
  haloBottom: number;
}

/**
 * Splits `height` rows into at most `count` bands of near-equal height whose starts are multiples
 * of `align`, each with up to `halo` context rows on either side (fewer at the frame's edges).
 */
export function planBands(height: number, count: number, halo: number, align = 1): Band[] {
  const units = Math.ceil(height / align);
  const n = Math.max(1, Math.min(count, units));
  const bands: Band[] = [];
  for (let i = 0; i < n; i++) {
    const top = Math.round((i * units) / n) * align;
    const bottom = Math.min(height, Math.round(((i + 1) * units) / n) * align);
    if (bottom <= top) continue;
    bands.push({
      top,
      bottom,
      haloTop: Math.min(halo, top),
      haloBottom: Math.min(halo, height - bottom),
    });
  }
  return bands;
}

/** Rows [y0, y1) of an image, copied into a new image. */
export function sliceRows(image: RgbaImage, y0: number, y1: number): RgbaImage {
  const rowBytes = image.width * 4;
  return {
    width: image.width,
    height: y1 - y0,
    data: image.data.slice(y0 * rowBytes, y1 * rowBytes),
  };
}

/** The input rows a band needs, including its halo. */
export function bandInput(image: RgbaImage, band: Band): RgbaImage {
  return sliceRows(image, band.top - band.haloTop, band.bottom + band.haloBottom);
}

/** Writes a band's result (which still includes its halo rows) into the full output frame. */
export function placeBand(output: RgbaImage, band: Band, result: RgbaImage): void {
  const rowBytes = output.width * 4;
  const rows = result.data.subarray(
    band.haloTop * rowBytes,
    (band.haloTop + band.bottom - band.top) * rowBytes,
  );
  output.data.set(rows, band.top * rowBytes);
}

export function effectHalo(effect: AnyEffect, params: ParamValues): number {
  return effect.halo?.(params) ?? 0;
}

export function effectAlign(effect: AnyEffect, params: ParamValues): number {
  return effect.bandAlign?.(params) ?? 1;
}

/** Runs one band of one effect: the unit of work a CPU worker does. */
export function runBand(
  effect: AnyEffect,
  input: RgbaImage,
  band: Band,
  fullHeight: number,
  params: ParamValues,
  frame: FrameInfo,
  env: EffectEnv,
): RgbaImage {
  return effect.cpu(input, params, frame, env, { top: band.top - band.haloTop, fullHeight });
}
