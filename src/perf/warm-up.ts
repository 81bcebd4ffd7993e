/**
 * Whether a Compare strategy's warm-up goes on to frame `i` (0-based): its warm-up frames, then
 * while the scheduler is still settling (measuring targets, trying plans) or its plan has fewer
 * than `WARMUP_WINDOWS` windows timed in this warm-up (`timed`: the prediction for the timed
 * frames rests on the frames just before them) — until `until` (ms on the same clock as `now`),
 * after the first frame, which loads what the chain needs. `cut`: it stopped on time while the
 * scheduler was still settling.
 */
export function warmUpStep(s: {
  i: number;
  warmup: number;
  settling: boolean;
  timed?: boolean;
  now: number;
  until: number;
}): { go: boolean; cut: boolean } {
  const wanted = s.i < s.warmup || s.settling || s.timed === false;
  if (wanted && s.i > 0 && s.now >= s.until) return { go: false, cut: s.settling };
  return { go: wanted, cut: false };
}
