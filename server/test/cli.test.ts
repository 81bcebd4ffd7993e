// The CLI's own exits: --help, bad flags, and --provider cuda where CUDA is missing.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { identityConfig, identityModel, makeRepository, type TempRepository } from './models.ts';
import { ROOT, spawnServer } from './spawn.ts';

let repo: TempRepository;
beforeAll(() => {
  repo = makeRepository({
    echo: { config: identityConfig('FP32', [-1]), model: identityModel('FP32', ['len']) },
  });
});
afterAll(() => repo.remove());

/** Runs the CLI to its exit. */
function run(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/src/main.ts', '--port', '0', ...args],
    { cwd: ROOT },
  );
  let output = '';
  let stopped = false;
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    // Once: a second signal makes the server give up draining and exit 1.
    if (!stopped && output.includes('listening on')) stopped = child.kill('SIGTERM');
  });
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

test('--help prints the flags and exits 0', async () => {
  const { code, output } = await run(['--help']);
  expect(code).toBe(0);
  for (const flag of [
    '--host',
    '--port',
    '--repository',
    '--token',
    '--cors',
    '--allowed-hosts',
    '--insecure',
    '--max-body',
    '--rate-limit',
    '--timeout',
    '--provider',
    '--log-level',
  ])
    expect(output).toContain(flag);
});

test('a bad flag exits 2 with a message naming it', async () => {
  const { code, output } = await run(['--provider', 'tpu']);
  expect(code).toBe(2);
  expect(output).toMatch(/error: --provider must be one of cpu, cuda, got 'tpu'/);
});

test('--provider cuda fails clearly at load where onnxruntime-node has no CUDA', async () => {
  const { code, output } = await run(['--repository', repo.dir, '--provider', 'cuda']);
  if (output.includes('listening on')) return; // a machine with the CUDA provider installed
  expect(code).toBe(1);
  expect(output).toMatch(
    /model 'echo' is not ready: cannot load its model file with execution provider 'cuda'/,
  );
  expect(output).toMatch(/error: no model could load with --provider cuda/);
}, 20_000);

test('a non-loopback --host without a token is refused, unless --insecure', async () => {
  const refused = await run(['--repository', repo.dir, '--host', '0.0.0.0']);
  expect(refused.code).toBe(1);
  expect(refused.output).toMatch(/refusing to listen on 0\.0\.0\.0 without a token.*--insecure/);
  const insecure = await run(['--repository', repo.dir, '--host', '0.0.0.0', '--insecure']);
  expect(insecure.output).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+/);
  expect(insecure.code, insecure.output).toBe(0);
}, 20_000);

test('--log-level info logs every request as one JSON line on stdout', async () => {
  const server = await spawnServer(['--repository', repo.dir, '--log-level', 'info']);
  try {
    expect((await fetch(`${server.url}/v2/models/nope`)).status).toBe(404);
    await expect
      .poll(() =>
        server
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { res?: { statusCode: number }; reqId?: string })
          .find((entry) => entry.res?.statusCode === 404),
      )
      .toMatchObject({ reqId: expect.any(String), res: { statusCode: 404 } });
  } finally {
    expect(await server.stop()).toBe(0);
  }
}, 30_000);
