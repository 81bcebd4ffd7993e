// When each target worked on a frame, for the live panel's busy shares (src/perf/frame-meter.ts).
import type { FrameMeasurement } from './placer';

/** [start, end] intervals (clock ms) by target ("gpu", "cpu", an ML target, "transfer"). */
export type Spans = Record<string, (readonly [number, number])[]>;

/**
 * When each target worked on a frame, from the parts' end times and durations. An endpoint
 * stage's round trip is split as its link says: out, the server's queue (no one's), its own run,
 * back.
 */
export function spansOf(m: FrameMeasurement): Spans {
  const spans: Spans = {};
  const add = (key: string, start: number, end: number) => {
    if (end > start) (spans[key] ??= []).push([start, end]);
  };
  const part = (key: string, p: { ms: number; endedAt?: number }) => {
    if (p.endedAt !== undefined) add(key, p.endedAt - p.ms, p.endedAt);
  };
  for (const p of m.cpu) part('cpu', p);
  for (const p of m.gpu) part('gpu', p);
  for (const p of m.transfers) part('transfer', p);
  for (const p of m.ml) {
    if (p.endedAt === undefined) continue;
    if (!p.link) {
      part(p.target, p);
      continue;
    }
    const start = p.endedAt - p.ms;
    const out = start + p.link.outMs;
    const back = p.endedAt - p.link.backMs;
    add('transfer', start, out);
    add(p.target, out + (p.link.waitMs ?? 0), back);
    add('transfer', back, p.endedAt);
  }
  return spans;
}
