import type { ToneChannel } from '../../../effects';

/** Row of the source histogram (R, G, B, luma) a tone channel shows: the master shows luma. */
const ROW: Record<ToneChannel, number> = { r: 0, g: 1, b: 2, master: 3 };

/**
 * An SVG area path of one channel of a 4 × 256 histogram over `0…255 × 0…height` (level 0 at
 * the left, counts upward from the bottom). Square-root scaled, and normalised to the tallest
 * bin but the two ends, so clipped blacks and whites do not flatten the rest.
 */
export function histogramPath(
  histogram: ArrayLike<number>,
  channel: ToneChannel,
  height: number,
): string {
  const base = ROW[channel] * 256;
  let max = 0;
  for (let v = 1; v < 255; v++) max = Math.max(max, histogram[base + v]);
  if (max === 0) for (const v of [0, 255]) max = Math.max(max, histogram[base + v]);
  if (max === 0) return '';
  const top = (v: number) => height - Math.min(1, Math.sqrt(histogram[base + v] / max)) * height;
  let d = `M0,${height}`;
  for (let v = 0; v < 256; v++) d += `L${v},${top(v).toFixed(1)}`;
  return `${d}L255,${height}Z`;
}
