import type { Shares } from './plan';

/**
 * Smooth weighted round robin over a stage's shares: each call adds every target's share to its
 * credit and picks the richest, which then pays 1. Deterministic, and exact in the long run
 * (a 0.25 share gets every fourth frame, spread out rather than bunched).
 */
export function pickWeighted(shares: Shares, credits: Map<string, number>): string {
  if (shares.length === 1) return shares[0].target;
  let best = shares[0].target;
  let bestCredit = -Infinity;
  for (const { target, share } of shares) {
    const c = (credits.get(target) ?? 0) + share;
    credits.set(target, c);
    if (c > bestCredit) {
      bestCredit = c;
      best = target;
    }
  }
  credits.set(best, bestCredit - 1);
  return best;
}
