import { describe, expect, it } from 'vitest';
import type { Timers } from '../../session/timers';
import { CustomGuard, LOSS_SETTLES_MS } from './custom-guard';
import { ShaderTrust } from './shader-trust.svelte';

/** Timers that move only when the test says so. */
function manualTimers() {
  let now = 0;
  const waiting: { at: number; resolve: () => void }[] = [];
  const timers: Timers = {
    now: () => now,
    sleep: (ms) => new Promise<void>((resolve) => waiting.push({ at: now + ms, resolve })),
  };
  const advance = async (ms: number) => {
    now += ms;
    for (const w of waiting.filter((w) => w.at <= now)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { timers, advance };
}

function setup() {
  const { timers, advance } = manualTimers();
  const trust = new ShaderTrust(null);
  trust.accept('custom-a');
  const events: string[] = [];
  const guard = new CustomGuard({
    timers,
    trust,
    stopped: (ids, hung) => events.push(`${hung ? 'hung' : 'stopped'}:${ids.join()}`),
    resetGpu: () => events.push('reset'),
  });
  return { guard, advance, events };
}

describe('the custom-effect watchdog', () => {
  it('a frame that finishes within the budget changes nothing', async () => {
    const { guard, advance, events } = setup();
    guard.watch(['custom-a'], Promise.resolve());
    await advance(10_000);
    expect(events).toEqual([]);
    await advance(LOSS_SETTLES_MS);
    expect(guard.suspects()).toEqual([]);
    expect(guard.takeReset()).toEqual([]);
    expect(guard.blocked('custom-a')).toBeNull();
  });

  it('a frame whose GPU work just ended is still a suspect for a moment (a loss under it is reported after)', async () => {
    const { guard, advance } = setup();
    guard.watch(['custom-a'], Promise.resolve());
    await advance(0);
    expect(guard.suspects()).toEqual(['custom-a']);
    await advance(LOSS_SETTLES_MS - 1);
    expect(guard.suspects()).toEqual(['custom-a']);
    await advance(1);
    expect(guard.suspects()).toEqual([]);
  });

  it('a frame over the budget stops its custom effects; one that never ends resets the GPU', async () => {
    const { guard, advance, events } = setup();
    guard.watch(['custom-a'], new Promise(() => {}));
    await advance(1999);
    expect(events).toEqual([]);
    expect(guard.suspects()).toEqual(['custom-a']);
    await advance(1);
    expect(events).toEqual(['stopped:custom-a']);
    expect(guard.blocked('custom-a')).toMatch(/took over 2 s on one frame and was stopped/);
    await advance(6000);
    expect(events).toEqual(['stopped:custom-a', 'reset', 'hung:custom-a']);
    // The loss that follows is the watchdog's own, told once.
    expect(guard.takeReset()).toEqual(['custom-a']);
    expect(guard.takeReset()).toEqual([]);
  });

  it('slow but finished before the hang limit: stopped, the GPU kept', async () => {
    const { guard, advance, events } = setup();
    let finish = () => {};
    guard.watch(['custom-a'], new Promise<void>((r) => (finish = r)));
    await advance(2500);
    finish();
    await advance(10_000);
    expect(events).toEqual(['stopped:custom-a']);
  });

  it('two frames in flight with the same code: stopped, reported and reset once', async () => {
    const { guard, advance, events } = setup();
    guard.watch(['custom-a'], new Promise(() => {}));
    guard.watch(['custom-a'], new Promise(() => {}));
    await advance(2000);
    await advance(6000);
    expect(events).toEqual(['stopped:custom-a', 'reset', 'hung:custom-a']);
  });

  it('code nobody accepted is blocked, with the reason in words', () => {
    const { guard } = setup();
    expect(guard.blocked('custom-b')).toMatch(/has not been accepted yet/);
  });
});
