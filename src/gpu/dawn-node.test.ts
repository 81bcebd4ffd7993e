// The Node entry point to WebGPU (Dawn): one instance a backend for the process, never collected.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dawnGpu } from './dawn-node';

const CHURN = fileURLToPath(new URL('./dawn-churn.test-support.ts', import.meta.url));
const ROUNDS = 300;

describe('dawnGpu', () => {
  it('gives the same instance at every call', () => {
    expect(dawnGpu()).toBe(dawnGpu('opengles'));
  });

  it(`lives through ${ROUNDS} devices lost with work in flight, each one's entry point dropped and collected`, () => {
    // A child process: where a collected instance was used after it was freed, the process
    // aborted, crashed or hung for good (killed here after a minute), 3 times in 3 at 300 rounds.
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', CHURN, `${ROUNDS}`],
      {
        encoding: 'utf8',
        timeout: 60_000,
        killSignal: 'SIGKILL',
      },
    );
    const said = `${run.stdout}\n${run.stderr}`.slice(-2000);
    expect(run.signal, said).toBeNull();
    expect(run.status, said).toBe(0);
    expect(run.stdout).toContain(`done ${ROUNDS}`);
  }, 90_000);
});
