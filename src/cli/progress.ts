// What `triad apply` shows while it works: a live bar (rate, ETA, the file) on a terminal, a line
// per file elsewhere (and with --json, whose summary is stdout's); warnings and failures as they
// happen; a closing line.
import { SingleBar } from 'cli-progress';
import type { ApplyReporter, ApplySummary, FileResult } from './apply';
import type { Io } from './io';

export function progressReporter(
  io: Io,
  json: boolean,
): ApplyReporter & { done(summary: ApplySummary | null): void } {
  let bar: SingleBar | null = null;
  let total = 0;
  let startedAt = 0;
  let lastShape = '';
  let rate = '0.0';
  const shape = (label: string) => label.replace(/\d+/g, '#');
  const line = (text: string) => {
    if (bar) bar.stop();
    io.err(`${text}\n`);
    if (bar) bar.start(total, Math.round(bar.getProgress() * total), { file: '', rate });
  };
  const describe = (r: FileResult) =>
    r.status === 'written'
      ? `✓ ${r.input} → ${r.output} (${Math.round(r.ms ?? 0)} ms; ${r.targets?.join(', ') || 'no stage'})`
      : `✗ ${r.input}: ${r.status === 'skipped' ? 'skipped' : 'failed'} — ${r.error}`;
  return {
    start(count) {
      total = count;
      startedAt = Date.now();
      if (!io.tty || json) return;
      bar = new SingleBar({
        stream: process.stderr,
        format: ' {bar} {value}/{total} images | {rate}/s | ETA {eta_formatted} | {file}',
        hideCursor: true,
        etaBuffer: 8,
      });
      bar.start(count, 0, { file: '', rate });
    },
    file(result, done) {
      if (result.status !== 'written' || !bar) line(describe(result));
      if (bar) {
        const elapsed = (Date.now() - startedAt) / 1000;
        rate = (done / Math.max(elapsed, 1e-3)).toFixed(1);
        bar.update(done, { file: result.input, rate });
      }
    },
    status(label) {
      if (bar) bar.update({ file: label ?? '' });
      else if (label && shape(label) !== lastShape) {
        // A line per kind of work, not per step of it ("tile 3/9").
        lastShape = shape(label);
        io.err(`${label}…\n`);
      }
    },
    warn(message) {
      line(`warning: ${message}`);
    },
    done(summary) {
      bar?.stop();
      bar = null;
      if (!summary || json) return;
      const parts = [`${summary.written} written`];
      if (summary.failed) parts.push(`${summary.failed} failed`);
      if (summary.skipped) parts.push(`${summary.skipped} skipped`);
      const where = summary.placements
        .map(
          (p) =>
            `${p.stage} on ${
              Object.entries(p.targets)
                .map(([t, n]) => `${t} ×${n}`)
                .join(', ') || '—'
            }`,
        )
        .join('; ');
      io.err(
        `${summary.interrupted ? 'Stopped (Ctrl-C): ' : ''}${parts.join(', ')} in ${summary.seconds.toFixed(1)} s ` +
          `(${summary.imagesPerSecond.toFixed(2)} images/s, ${summary.strategy}, ${summary.framesInFlight} in flight, ${summary.adapter})` +
          (where ? `\n  ${where}` : '') +
          '\n',
      );
    },
  };
}
