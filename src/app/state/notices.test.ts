import { describe, expect, it } from 'vitest';
import { NOTICE_FADE_MS, Notices, type NoticeClock } from './notices.svelte';

/** A clock the test moves: timers fire when `advance` passes them. */
function fakeClock() {
  let now = 1_000;
  let next = 1;
  const timers = new Map<number, { at: number; work: () => void }>();
  const clock: NoticeClock = {
    now: () => now,
    setTimeout: (work, ms) => (timers.set(next, { at: now + ms, work }), next++),
    clearTimeout: (handle) => void timers.delete(handle as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > now) continue;
      timers.delete(id);
      t.work();
    }
  };
  return { clock, advance };
}

function console() {
  const lines: { level: string; args: unknown[] }[] = [];
  return {
    lines,
    info: (...args: unknown[]) => void lines.push({ level: 'info', args }),
    warn: (...args: unknown[]) => void lines.push({ level: 'warn', args }),
  };
}

describe('Notices', () => {
  it('groups the same incident on one card with a count, gathering its details', () => {
    const { clock } = fakeClock();
    const notices = new Notices(clock, console());
    const moved = 'Select background could not run on remote; it ran on another target instead.';
    const a = notices.warning('AI stage moved', moved, 'connection refused');
    notices.error('Export failed', 'Nothing was saved.');
    const b = notices.warning('AI stage moved', moved, 'timed out');
    notices.warning('AI stage moved', moved, 'connection refused');
    // Another message under the same title is another incident.
    notices.warning('AI stage moved', 'Blur could not run on the CPU; it ran on the GPU instead.');
    expect(b).toBe(a);
    expect(notices.items.map((n) => [n.title, n.count])).toEqual([
      ['AI stage moved', 3],
      ['Export failed', 1],
      ['AI stage moved', 1],
    ]);
    expect(notices.items[0].detail).toBe('connection refused\n—\ntimed out');
    // The log holds each incident once, with its count; dismissed, the next one is new.
    expect(notices.log.map((n) => n.count)).toEqual([3, 1, 1]);
    notices.dismiss(a);
    notices.warning('AI stage moved', moved);
    expect(notices.items.map((n) => n.count)).toEqual([1, 1, 1]);
    expect(notices.log).toHaveLength(4);
  });

  it('information fades, warnings later, errors stay; a held notice waits until released', () => {
    const { clock, advance } = fakeClock();
    const notices = new Notices(clock, console());
    notices.info('Link copied', 'Anyone who opens it gets this chain.');
    notices.warning('Image scaled down', 'It was larger than the GPU allows.');
    const error = notices.error('Export failed', 'Nothing was saved.');
    advance(NOTICE_FADE_MS.info! - 1);
    expect(notices.items).toHaveLength(3);
    advance(1);
    expect(notices.items.map((n) => n.kind)).toEqual(['warning', 'error']);
    const warning = notices.items[0].id;
    notices.hold(warning);
    advance(NOTICE_FADE_MS.warning!);
    expect(notices.items).toHaveLength(2);
    notices.release(warning);
    advance(NOTICE_FADE_MS.warning!);
    expect(notices.items.map((n) => n.id)).toEqual([error]);
    advance(10 * 60_000);
    expect(notices.items.map((n) => n.id)).toEqual([error]);
    // Faded or dismissed, every notice is still in the log.
    expect(notices.log).toHaveLength(3);
    expect(notices.unseen).toBe(3);
    notices.seen();
    expect(notices.unseen).toBe(0);
  });

  it('a repeat restarts its card’s fade', () => {
    const { clock, advance } = fakeClock();
    const notices = new Notices(clock, console());
    notices.info('Saved', 'Kept in this browser.', 'one');
    advance(NOTICE_FADE_MS.info! - 100);
    notices.info('Saved', 'Kept in this browser.', 'two');
    advance(NOTICE_FADE_MS.info! - 100);
    expect(notices.items.map((n) => [n.detail, n.count])).toEqual([['one\n—\ntwo', 2]]);
    advance(100);
    expect(notices.items).toHaveLength(0);
  });

  it('copies each notice to the console, with its technical detail', () => {
    const out = console();
    const notices = new Notices(fakeClock().clock, out);
    notices.error(
      'GPU error',
      'The GPU reported an error; the app carried on.',
      'glCheckFramebufferStatus returned GL_FRAMEBUFFER_INCOMPLETE_ATTACHMENT',
    );
    notices.info('Link copied', 'Anyone who opens it gets this chain.');
    expect(out.lines).toEqual([
      {
        level: 'warn',
        args: [
          '[Triad] GPU error: The GPU reported an error; the app carried on.',
          '\nglCheckFramebufferStatus returned GL_FRAMEBUFFER_INCOMPLETE_ATTACHMENT',
        ],
      },
      { level: 'info', args: ['[Triad] Link copied: Anyone who opens it gets this chain.'] },
    ]);
  });
});
