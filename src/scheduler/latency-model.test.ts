import { describe, expect, it } from 'vitest';
import { LatencyModel, sizeBucket } from './latency-model';

function model(options = {}) {
  let now = 0;
  const m = new LatencyModel(() => now, options);
  return { m, advance: (ms: number) => (now += ms) };
}

describe('latency model', () => {
  it('keeps the first (warm-up) run apart from the estimate', () => {
    const { m } = model();
    m.record('k', 500);
    m.record('k', 10);
    m.record('k', 12);
    const e = m.estimate('k')!;
    expect(e.firstRun).toBe(500);
    expect(e.mean).toBeCloseTo(11);
    expect(e.count).toBe(2);
  });

  it('trusts an estimate only after k calibration samples', () => {
    const { m } = model({ calibration: 5 });
    m.record('k', 100);
    for (let i = 0; i < 4; i++) m.record('k', 10);
    expect(m.estimate('k')!.calibrated).toBe(false);
    m.record('k', 10);
    expect(m.estimate('k')!.calibrated).toBe(true);
  });

  it('a run still compiling after the first does not set the calibrated estimate', () => {
    const { m } = model({ calibration: 10 });
    m.record('k', 1800); // the first run: kept apart
    m.record('k', 1500); // the second still compiles kernels for another shape
    for (let i = 0; i < 9; i++) m.record('k', 200 + (i % 3));
    const e = m.estimate('k')!;
    expect(e.calibrated).toBe(true);
    expect(e.mean).toBeCloseTo(201, 0);
    expect(e.spread).toBeLessThan(5);
  });

  it('calibration keeps every sample of an evenly spread target', () => {
    const { m } = model({ calibration: 10 });
    m.record('k', 100);
    const samples = [80, 90, 100, 110, 120, 85, 95, 105, 115, 100];
    for (const x of samples) m.record('k', x);
    expect(m.estimate('k')!.mean).toBeCloseTo(100, 5);
  });

  it('weighs recent samples more', () => {
    const { m } = model({ calibration: 2, alpha: 0.5, driftRun: 100 });
    m.record('k', 0);
    for (let i = 0; i < 10; i++) m.record('k', 10);
    m.record('k', 12);
    expect(m.estimate('k')!.mean).toBeCloseTo(11);
  });

  it('resets history when samples stay far from the mean (drift)', () => {
    const { m } = model({ calibration: 3, driftRun: 4 });
    m.record('k', 0);
    for (let i = 0; i < 20; i++) m.record('k', 10 + (i % 2));
    for (let i = 0; i < 3; i++) m.record('k', 25);
    expect(m.estimate('k')!.mean).toBeLessThan(11);
    m.record('k', 25);
    expect(m.estimate('k')!.mean).toBeCloseTo(25);
    expect(m.estimate('k')!.count).toBe(4);
    expect(m.estimate('k')!.calibrated).toBe(true);
  });

  it('counts far samples toward a drift only while they stay on one side of the mean', () => {
    const { m } = model({ calibration: 3, driftRun: 2 });
    m.record('k', 0);
    for (let i = 0; i < 20; i++) m.record('k', 10);
    m.record('k', 20);
    m.record('k', 4);
    expect(m.estimate('k')!.mean).toBeCloseTo(10);
    m.record('k', 20);
    m.record('k', 20);
    expect(m.estimate('k')!.mean).toBeCloseTo(20);
  });

  it('takes a sample three times the mean at once, unconfirmed', () => {
    const { m } = model({ calibration: 3 });
    m.record('k', 0);
    for (let i = 0; i < 20; i++) m.record('k', 10);
    m.record('k', 40);
    expect(m.estimate('k')).toMatchObject({ mean: 40, unconfirmed: true, calibrated: true });
  });

  it('a jump the next sample contradicts was a spike: the estimate before it returns, counted', () => {
    const { m } = model({ calibration: 3 });
    m.record('k', 0);
    for (let i = 0; i < 20; i++) m.record('k', 10);
    m.record('k', 40);
    m.record('k', 10);
    expect(m.estimate('k')).toMatchObject({ mean: 10, unconfirmed: false, spikes: 1 });
    // A jump the next sample agrees with stays, and is no spike.
    m.record('k', 40);
    m.record('k', 42);
    expect(m.estimate('k')!.spikes).toBe(1);
    expect(m.estimate('k')!.mean).toBeGreaterThan(39);
  });

  it('a scaled estimate the next sample contradicts comes back, however noisy it was', () => {
    const { m } = model({ calibration: 3 });
    m.record('k', 0);
    // A GPU stage timed within shared segments: 10 ms ± 6.
    for (let i = 0; i < 20; i++) m.record('k', i % 2 ? 4 : 16);
    m.scale('k', 14); // a sibling stage drifted 14× (one crowded segment)
    m.record('k', 11);
    expect(m.estimate('k')).toMatchObject({ unconfirmed: false, spikes: 1 });
    expect(m.estimate('k')!.mean).toBeLessThan(20);
    // Scaled and then measured near the scaled figure: the target did change.
    m.scale('k', 14);
    m.record('k', 120);
    expect(m.estimate('k')!.mean).toBeGreaterThan(100);
  });

  it('undo takes back an unconfirmed estimate (a jump or a scale), and nothing else', () => {
    const { m } = model({ calibration: 3 });
    m.record('k', 0);
    for (let i = 0; i < 20; i++) m.record('k', 10);
    m.scale('k', 5);
    expect(m.estimate('k')).toMatchObject({ mean: 50, unconfirmed: true });
    m.undo('k');
    expect(m.estimate('k')).toMatchObject({ mean: 10, unconfirmed: false });
    m.undo('k'); // confirmed: stays
    expect(m.estimate('k')!.mean).toBe(10);
  });

  it('replaces a stale estimate with the first new sample far from it', () => {
    const { m, advance } = model({ calibration: 3, staleAfterMs: 1000 });
    m.record('k', 0);
    for (let i = 0; i < 20; i++) m.record('k', 10);
    advance(2000);
    m.record('k', 16);
    expect(m.estimate('k')).toMatchObject({ mean: 16, unconfirmed: false });
  });

  it('ignores one outlier', () => {
    const { m } = model({ calibration: 3 });
    m.record('k', 0);
    for (let i = 0; i < 20; i++) m.record('k', 10);
    m.record('k', 100);
    m.record('k', 10);
    expect(m.estimate('k')!.mean).toBeCloseTo(10);
  });

  it('forgets keys that went stale', () => {
    const { m, advance } = model({ staleAfterMs: 1000 });
    m.record('old', 1);
    advance(600);
    m.record('new', 1);
    advance(600);
    expect(m.forgetStale()).toBe(1);
    expect(m.estimate('old')).toBeNull();
    expect(m.estimate('new')).not.toBeNull();
  });

  it('buckets sizes by doubling of the pixel count', () => {
    expect(sizeBucket(1920 * 1080)).toBe(sizeBucket(1920 * 1100));
    expect(sizeBucket(1920 * 1080)).not.toBe(sizeBucket(3840 * 2160));
  });

  it('ignores impossible samples', () => {
    const { m } = model();
    m.record('k', Number.NaN);
    m.record('k', -1);
    expect(m.estimate('k')).toBeNull();
  });
});
