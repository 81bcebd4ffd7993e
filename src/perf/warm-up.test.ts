import { describe, expect, test } from 'vitest';
import { warmUpStep } from './warm-up';

describe('warmUpStep', () => {
  const at = (i: number, now: number, settling = false) =>
    warmUpStep({ i, warmup: 10, settling, now, until: 3000 });

  test('runs its warm-up frames, then goes on only while the scheduler settles', () => {
    expect(at(0, 0)).toEqual({ go: true, cut: false });
    expect(at(9, 100)).toEqual({ go: true, cut: false });
    expect(at(10, 200)).toEqual({ go: false, cut: false });
    expect(at(10, 200, true)).toEqual({ go: true, cut: false });
    expect(at(59, 2999, true)).toEqual({ go: true, cut: false });
  });

  test('goes on while the plan has no window timed in this warm-up, within the same bounds', () => {
    const step = (i: number, timed: boolean, now = 100) =>
      warmUpStep({ i, warmup: 3, settling: false, timed, now, until: 3000 });
    expect(step(3, false)).toEqual({ go: true, cut: false });
    expect(step(3, true)).toEqual({ go: false, cut: false });
    // Its time up: it stops, and the plan was settled (only not timed again).
    expect(step(8, false, 3000)).toEqual({ go: false, cut: false });
  });

  test('stops when its time is up, saying whether the plan was still settling', () => {
    expect(at(5, 3000)).toEqual({ go: false, cut: false });
    expect(at(12, 3000, true)).toEqual({ go: false, cut: true });
  });

  test('always runs the first frame (it loads what the chain needs), however late', () => {
    expect(at(0, 10_000, true)).toEqual({ go: true, cut: false });
    expect(warmUpStep({ i: 0, warmup: 10, settling: false, now: 5, until: 0 }).go).toBe(true);
  });

  test('without a time bound it is bounded by frames alone', () => {
    const step = (i: number) =>
      warmUpStep({ i, warmup: 3, settling: i < 7, now: 1e12, until: Infinity });
    expect([0, 3, 6, 7].map((i) => step(i).go)).toEqual([true, true, true, false]);
  });
});
