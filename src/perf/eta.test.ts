import { describe, expect, it } from 'vitest';
import { etaOf } from './eta';

describe('Compare’s time left', () => {
  it('is unknown until a strategy has finished, then counts down from the finished ones’ mean', () => {
    let now = 0;
    const eta = etaOf(4, () => now);
    eta.start();
    now = 5_000;
    expect(eta.left()).toBeNull();
    now = 10_000;
    eta.done(); // the first took 10 s
    eta.start();
    expect(eta.left()).toBe(30); // this one and two more
    now = 14_000;
    expect(eta.left()).toBe(26);
    now = 22_000;
    eta.done(); // the second took 12 s: 11 s each
    eta.start();
    expect(eta.left()).toBe(22);
    // A strategy running past the mean counts as nearly done, not as negative time.
    now = 40_000;
    expect(eta.left()).toBe(11);
  });
});
