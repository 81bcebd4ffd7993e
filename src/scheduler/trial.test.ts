import { describe, expect, it } from 'vitest';
import {
  PlanTimer,
  RetryBackoff,
  scoreCandidates,
  shownWrong,
  supportKey,
  trialOf,
  type RecordRules,
} from './trial';

const RULES: RecordRules = {
  moved: 0.15,
  maxAge: 1000,
  agree: 0.15,
  retryDrift: 2,
  recent: 20,
  runningDrift: 3,
};

describe('PlanTimer', () => {
  it('skips frames of the previous plan, then gives ms per frame per window', () => {
    const timer = new PlanTimer(4, 2);
    timer.decided(10);
    // Frame 9 was decided before the plan: ignored; frame 10 may share the pipeline with it.
    expect(timer.shown(9, 0)).toBeNull();
    expect(timer.shown(10, 50)).toBeNull();
    // Frame 11 is the reference; four more frames, 100 ms apart, make one window.
    for (const [f, t] of [
      [11, 100],
      [12, 200],
      [13, 300],
      [14, 400],
    ])
      expect(timer.shown(f, t)).toBeNull();
    expect(timer.shown(15, 500)).toBe(100);
    // The next window starts where that one ended; frames out of order count by time.
    for (const [f, t] of [
      [17, 700],
      [16, 650],
      [18, 800],
    ])
      expect(timer.shown(f, t)).toBeNull();
    expect(timer.shown(19, 900)).toBe(100);
  });
});

describe('scoreCandidates', () => {
  const rec = (ms: number, predicted: number, at = 0) => ({ ms, predicted, at, windows: 1 });

  it("keeps the model's periods where measured plans agree with it, and takes the measurement where one does not", () => {
    const agree = scoreCandidates(
      [
        { plan: 'a', predicted: 100, record: rec(105, 100) },
        { plan: 'b', predicted: 110, record: rec(108, 110) },
      ],
      10,
      RULES,
    );
    expect(agree.map((x) => [x.state, x.period, x.off])).toEqual([
      ['measured', 100, false],
      ['measured', 110, false],
    ]);
    const off = scoreCandidates(
      [
        { plan: 'a', predicted: 100, record: rec(140, 100) },
        { plan: 'b', predicted: 110, record: rec(100, 110) },
      ],
      10,
      RULES,
    );
    expect(off[0]).toMatchObject({ state: 'measured', off: true, period: 140 });
    expect(off[1].period).toBeCloseTo(100);
  });

  it('two plans each within the noise but apart from each other are judged by measurement', () => {
    const [a, b] = scoreCandidates(
      [
        { plan: 'split', predicted: 340, record: rec(365, 340) },
        { plan: 'remote', predicted: 371, record: rec(339, 371) },
      ],
      10,
      RULES,
    );
    expect(a.period).toBeCloseTo(365);
    expect(b.period).toBeCloseTo(339);
  });

  it('remembers a plan whose prediction drifted moderately, forgets it after a large drift or old age', () => {
    const [drifted, slowed, old, never] = scoreCandidates(
      [
        { plan: 'drifted', predicted: 130, record: rec(100, 100) },
        { plan: 'slowed', predicted: 400, record: rec(100, 100) },
        { plan: 'old', predicted: 100, record: rec(90, 100, -5000) },
        { plan: 'never', predicted: 100 },
      ],
      10,
      RULES,
    );
    expect(drifted).toMatchObject({ state: 'remembered', period: 130 });
    expect(slowed).toMatchObject({ state: 'unmeasured', period: 400 });
    expect(old.state).toBe('unmeasured');
    expect(never.state).toBe('unmeasured');
  });

  it("keeps a remembered plan's error as evidence against the model after its prediction drifted", () => {
    // The running plan agrees with the model; the one before it ran 40% over its prediction,
    // and a trial since drifted the model's view of it: a plan never measured is not taken at
    // the model's word.
    const [running, remembered, never] = scoreCandidates(
      [
        { plan: 'running', predicted: 130, record: rec(135, 130, 9), running: true },
        { plan: 'remembered', predicted: 130, record: rec(126, 90) },
        { plan: 'never', predicted: 111 },
      ],
      10,
      RULES,
    );
    expect(remembered.state).toBe('remembered');
    expect(running.state).toBe('measured');
    expect(never.period).toBeCloseTo(111 * 1.4);
    expect(shownWrong([running, remembered, never], RULES.agree)).toBe(true);
  });
});

describe('the running plan', () => {
  it('is taken at what its last window ran at while that is recent, whatever its prediction drifted to', () => {
    const record = { ms: 500, predicted: 650, at: 0, windows: 1 };
    const [running, other] = scoreCandidates(
      [
        { plan: 'remote', predicted: 930, record, running: true },
        { plan: 'remote, not running', predicted: 930, record },
      ],
      10,
      RULES,
    );
    expect(running).toMatchObject({ state: 'remembered', period: 500 });
    expect(other).toMatchObject({ state: 'remembered', period: 930 });
    const [later] = scoreCandidates(
      [{ plan: 'remote', predicted: 930, record, running: true }],
      100,
      RULES,
    );
    expect(later.period).toBe(930);
  });
});

describe('the running plan', () => {
  it('runs at what its recent window measured while its estimates drift up to 3×, not past it', () => {
    const record = { ms: 450, predicted: 450, at: 95, windows: 1 };
    const at = (predicted: number) =>
      scoreCandidates([{ plan: 'remote', predicted, record, running: true }], 100, RULES)[0];
    // Crowded by the plans that ran beside it, its estimates say 915 ms: it ran at 450.
    expect(at(915)).toMatchObject({ state: 'remembered', period: 450 });
    // A 4× slowdown is not crowding: the model decides.
    expect(at(1800)).toMatchObject({ state: 'unmeasured', period: 1800 });
  });

  it('past a confirmed slowdown (no longer trusted) keeps the model’s error about it where the model overrated it', () => {
    const record = { ms: 80, predicted: 100, at: 90, windows: 1 };
    const at = (predicted: number, c: { current?: boolean }, r = record) =>
      scoreCandidates([{ plan: 'gpu', predicted, record: r, ...c }], 100, RULES)[0];
    // It ran at 0.8 of the model's period; the model now says 1.5× and 3× that.
    expect(at(150, { current: true })).toMatchObject({ state: 'remembered', period: 120 });
    expect(at(300, { current: true })).toMatchObject({ state: 'remembered', period: 240 });
    // A plan not running, with the same record: a floor at the model's word, then its word.
    expect(at(150, {})).toMatchObject({ state: 'remembered', period: 150 });
    expect(at(300, {})).toMatchObject({ state: 'unmeasured', period: 300 });
    // Where the model underrated it, no credit the other way: its word.
    const under = { ...record, ms: 120 };
    expect(at(300, { current: true }, under)).toMatchObject({ state: 'unmeasured', period: 300 });
    // Only from a recent window (`recent`: 20 decisions here), and at most 3× (`runningDrift`).
    expect(at(300, { current: true }, { ...record, at: 70 })).toMatchObject({ period: 300 });
    expect(at(300, { current: true }, { ...record, ms: 10 })).toMatchObject({ period: 100 });
  });

  it('while trusted, a jump of its estimates on one sample leaves it at its record, without that credit', () => {
    const record = { ms: 80, predicted: 100, at: 95, windows: 1 };
    const [jumped] = scoreCandidates(
      [{ plan: 'gpu', predicted: 400, record, running: true, current: true }],
      100,
      RULES,
    );
    // Past `runningDrift`: the model's word (the scheduler then takes its record, `jumped`).
    expect(jumped).toMatchObject({ state: 'unmeasured', period: 400 });
  });
});

describe('trialOf', () => {
  const opts = { first: false, margin: 0.5, hysteresis: 0.08 };
  const score = (plan: string, predicted: number, record?: { ms: number; predicted: number }) =>
    scoreCandidates(
      [{ plan, predicted, record: record && { ...record, at: 0, windows: 1 } }],
      0,
      RULES,
    )[0];

  it('runs the close plans never measured on the first plan, the fastest predicted first', () => {
    const scored = [score('b', 120), score('a', 100), score('far', 400)];
    expect(trialOf(scored, { ...opts, first: true }).map((x) => x.plan)).toEqual(['a', 'b']);
    // Later, while every measured plan agrees with the model, it is trusted.
    expect(trialOf([score('a', 100, { ms: 101, predicted: 100 }), score('b', 120)], opts)).toEqual(
      [],
    );
  });

  it('where a measured plan ran far from its prediction, takes a plan never measured as far off, without running it', () => {
    const scored = scoreCandidates(
      [
        { plan: 'a', predicted: 100, record: { ms: 150, predicted: 100, at: 0, windows: 1 } },
        { plan: 'b', predicted: 120 },
      ],
      0,
      RULES,
    );
    expect(scored.map((x) => x.period)).toEqual([150, 180]);
    expect(trialOf(scored, opts)).toEqual([]);
  });

  it('runs a remembered plan again when it ran faster than what runs now', () => {
    const running = score('split', 340, { ms: 350, predicted: 340 });
    const faster = score('remote', 370, { ms: 300, predicted: 250 });
    expect(faster.state).toBe('remembered');
    expect(trialOf([running, faster], opts).map((x) => x.plan)).toEqual(['remote']);
    const slower = score('remote', 370, { ms: 360, predicted: 250 });
    expect(trialOf([running, slower], opts)).toEqual([]);
  });

  it('weighs a remembered plan against what the measured plans ran at, not their predictions', () => {
    // The running plan runs 7% under the model's period for it (within the noise, so measured
    // at the model's word): 81 ms is 10% under its prediction but only 4% under what it ran.
    const running = score('gpu grain', 90, { ms: 84, predicted: 90 });
    const remembered = score('cpu grain', 95, { ms: 81, predicted: 70 });
    expect([running.state, running.period, remembered.state]).toEqual([
      'measured',
      90,
      'remembered',
    ]);
    expect(trialOf([running, remembered], opts)).toEqual([]);
    const faster = score('cpu grain', 95, { ms: 76, predicted: 70 });
    expect(trialOf([running, faster], opts).map((x) => x.plan)).toEqual(['cpu grain']);
    // Not where the caller says it may not run again yet.
    expect(trialOf([running, faster], { ...opts, mayRetry: () => false })).toEqual([]);
  });

  it('never re-runs the plan that runs now', () => {
    const best = score('best', 300, { ms: 310, predicted: 300 });
    const running = { ...score('split', 370, { ms: 250, predicted: 250 }), running: true };
    expect(running.state).toBe('remembered');
    expect(trialOf([best, { ...running, running: false }], opts).map((x) => x.plan)).toEqual([
      'split',
    ]);
    expect(trialOf([best, running], opts)).toEqual([]);
    // Nor when it is no longer trusted (a confirmed slowdown since its window).
    expect(trialOf([best, { ...running, running: false, current: true }], opts)).toEqual([]);
  });

  it('never runs a plan alone', () => {
    expect(trialOf([score('a', 100)], { ...opts, first: true })).toEqual([]);
  });
});

describe('RetryBackoff', () => {
  it('lets a plan run again at once, then after waits that double; a slowdown starts over', () => {
    const backoff = new RetryBackoff(100);
    const noSlowdown = -Infinity;
    expect(backoff.may('a', 0, noSlowdown)).toBe(true);
    backoff.ran('a', 0, noSlowdown);
    expect(backoff.may('a', 99, noSlowdown)).toBe(false);
    expect(backoff.may('b', 99, noSlowdown)).toBe(true); // each plan its own
    expect(backoff.may('a', 100, noSlowdown)).toBe(true);
    backoff.ran('a', 100, noSlowdown);
    expect(backoff.may('a', 299, noSlowdown)).toBe(false);
    expect(backoff.may('a', 300, noSlowdown)).toBe(true);
    backoff.ran('a', 300, noSlowdown);
    expect(backoff.may('a', 699, noSlowdown)).toBe(false);
    expect(backoff.may('a', 700, noSlowdown)).toBe(true);
    // A slowdown confirmed at 350: another situation, so it may run at once, and the next wait
    // is the first again.
    expect(backoff.may('a', 351, 350)).toBe(true);
    backoff.ran('a', 351, 350);
    expect(backoff.may('a', 450, 350)).toBe(false);
    expect(backoff.may('a', 451, 350)).toBe(true);
    backoff.clear();
    expect(backoff.may('a', 452, 350)).toBe(true);
  });
});

describe('supportKey', () => {
  it('is the same for a split at other shares, and differs when a stage uses other targets', () => {
    const split = (cycle: string[][]) => supportKey({ cycle });
    const a = split([
      ['gpu', 'remote'],
      ['gpu', 'remote'],
      ['gpu', 'ort-wasm'],
    ]);
    const b = split([
      ['gpu', 'ort-wasm'],
      ['gpu', 'remote'],
    ]);
    expect(a).toBe(b);
    expect(a).not.toBe(split([['gpu', 'remote']]));
  });
});

describe('shownWrong', () => {
  const measured = (ms: number, predicted: number) =>
    scoreCandidates(
      [{ plan: 'p', predicted, record: { ms, predicted, at: 0, windows: 1 } }],
      0,
      RULES,
    )[0];
  it('is true where a measured plan ran further than `agree` from its prediction, or two disagree', () => {
    expect(shownWrong([measured(105, 100), measured(98, 100)], 0.15)).toBe(false);
    expect(shownWrong([measured(130, 100)], 0.15)).toBe(true);
    expect(shownWrong([measured(112, 100), measured(88, 100)], 0.15)).toBe(true);
    expect(shownWrong([], 0.15)).toBe(false);
  });
});
