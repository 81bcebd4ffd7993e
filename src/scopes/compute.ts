import { LUMA, type RgbaImage } from '../effects/image';

/** Waveform and histogram resolution: one bin per 8-bit level. */
export const LEVELS = 256;

/** Vectorscope bins per side: odd, so neutral grey falls in one centre bin. */
export const VECTOR_SIZE = 255;

/**
 * Scope data for one frame, as counts (drawn with log scaling):
 * - `histogram`: 4 × 256 counts — R, G, B, then luma;
 * - `waveform`: luma level × column, `columns` wide and 256 tall (row 0 = level 0);
 * - `parade`: the same for R, G, B side by side (3 × `columns` wide);
 * - `vectorscope`: VECTOR_SIZE² counts over (Cb, Cr), Cb → right, Cr → up.
 */
export interface ScopeData {
  pixels: number;
  columns: number;
  histogram: Uint32Array<ArrayBuffer>;
  waveform: Uint32Array<ArrayBuffer>;
  parade: Uint32Array<ArrayBuffer>;
  vectorscope: Uint32Array<ArrayBuffer>;
}

/** BT.709 colour difference of an RGB colour in [0, 1]: Cb and Cr in [−0.5, 0.5]. */
export function chroma(r: number, g: number, b: number): [number, number] {
  const y = LUMA[0] * r + LUMA[1] * g + LUMA[2] * b;
  return [(b - y) / 1.8556, (r - y) / 1.5748];
}

/** The vectorscope bin (x, y) of a Cb/Cr pair; y grows downward, so +Cr is up. */
export function vectorBin(cb: number, cr: number): [number, number] {
  const s = VECTOR_SIZE - 1;
  return [Math.round((cb + 0.5) * s), Math.round((0.5 - cr) * s)];
}

/** 4 × 256 counts — R, G, B, then luma — of straight-alpha RGBA pixels (alpha is ignored). */
export function computeHistogram(image: RgbaImage): Uint32Array<ArrayBuffer> {
  const { data } = image;
  const histogram = new Uint32Array(4 * LEVELS);
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    histogram[r]++;
    histogram[LEVELS + g]++;
    histogram[2 * LEVELS + b]++;
    histogram[3 * LEVELS + Math.round(LUMA[0] * r + LUMA[1] * g + LUMA[2] * b)]++;
  }
  return histogram;
}

/** Computes every scope from straight-alpha RGBA pixels (alpha is ignored). */
export function computeScopes(image: RgbaImage, maxColumns = 256): ScopeData {
  const { width, height, data } = image;
  const columns = Math.max(1, Math.min(maxColumns, width));
  const histogram = computeHistogram(image);
  const waveform = new Uint32Array(columns * LEVELS);
  const parade = new Uint32Array(3 * columns * LEVELS);
  const vectorscope = new Uint32Array(VECTOR_SIZE * VECTOR_SIZE);
  for (let x = 0; x < width; x++) {
    const col = Math.floor((x * columns) / width);
    for (let y = 0; y < height; y++) {
      const i = (y * width + x) * 4;
      const r = data[i];
      const g = data[i + 1];
      const b = data[i + 2];
      const luma = Math.round(LUMA[0] * r + LUMA[1] * g + LUMA[2] * b);
      waveform[luma * columns + col]++;
      parade[r * 3 * columns + col]++;
      parade[g * 3 * columns + columns + col]++;
      parade[b * 3 * columns + 2 * columns + col]++;
      const [cb, cr] = chroma(r / 255, g / 255, b / 255);
      const [vx, vy] = vectorBin(cb, cr);
      vectorscope[vy * VECTOR_SIZE + vx]++;
    }
  }
  return { pixels: width * height, columns, histogram, waveform, parade, vectorscope };
}

/** The six 75% colour bars' positions (R, Yl, G, Cy, B, Mg), as vectorscope targets. */
export const TARGETS_75: { name: string; rgb: [number, number, number] }[] = [
  { name: 'R', rgb: [0.75, 0, 0] },
  { name: 'Yl', rgb: [0.75, 0.75, 0] },
  { name: 'G', rgb: [0, 0.75, 0] },
  { name: 'Cy', rgb: [0, 0.75, 0.75] },
  { name: 'B', rgb: [0, 0, 0.75] },
  { name: 'Mg', rgb: [0.75, 0, 0.75] },
];

/** The skin-tone ("I") line: 123° counter-clockwise from the +Cb axis. */
export const SKIN_TONE_ANGLE = (123 * Math.PI) / 180;
