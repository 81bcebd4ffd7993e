// scripts/with-deadline.mjs: a command past its deadline is stopped, with its children, and says so.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./with-deadline.mjs', import.meta.url));
/** A process's state letter from /proc (R, S, Z, …), or 'gone'. */
function processState(pid: number): string {
  const stat = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout;
  return stat ? stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) : 'gone';
}

const run = (...args: string[]) =>
  spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('with-deadline', () => {
  it('passes the exit code of a command that finishes in time', () => {
    const done = run('1', 'a quick one', '--', 'sh', '-c', 'echo out; exit 3');
    expect(done.status).toBe(3);
    expect(done.stdout).toBe('out\n');
  });

  it('stops a command past its deadline, the processes it started with it, and exits 124 saying so', () => {
    // The shell starts a sleeper that writes its pid; a hung test worker is such a child.
    const pidFile = `/tmp/with-deadline-${process.pid}`;
    const hung = run(
      '0.02',
      'The sleepers',
      '--',
      'sh',
      '-c',
      `sleep 60 & echo $! > ${pidFile}; wait`,
    );
    expect(hung.status).toBe(124);
    expect(hung.stderr).toContain('The sleepers did not finish within 0.02 minutes: stopped');
    const pid = Number(spawnSync('cat', [pidFile], { encoding: 'utf8' }).stdout);
    spawnSync('rm', ['-f', pidFile]);
    expect(pid).toBeGreaterThan(0);
    expect(processState(pid)).toMatch(/^(gone|Z)$/); // ended (a zombie where init reaps late)
  });

  it('refuses a malformed call with its usage', () => {
    const bad = run('soon', 'x', '--', 'true');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage:');
  });
});
