import { expect, test } from 'vitest';
import { CliError, parseCli } from './cli.ts';

test('flags become server options', () => {
  expect(
    parseCli(
      [
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--cors',
        'http://a, http://b',
        '--max-body',
        '2m',
        '--rate-limit',
        '0',
        '--timeout',
        '500',
        '--provider',
        'cuda',
        '--log-level',
        'info',
      ],
      {},
    ),
  ).toMatchObject({
    host: '0.0.0.0',
    port: 0,
    cors: ['http://a', 'http://b'],
    maxBodyBytes: 2 * 1024 * 1024,
    rateLimit: 0,
    timeoutMs: 500,
    provider: 'cuda',
    logLevel: 'info',
  });
});

test('the token comes from --token, else TRIAD_ENDPOINT_TOKEN', () => {
  expect(parseCli([], { TRIAD_ENDPOINT_TOKEN: 'env' })).toMatchObject({ token: 'env' });
  expect(parseCli(['--token', 'flag'], { TRIAD_ENDPOINT_TOKEN: 'env' })).toMatchObject({
    token: 'flag',
  });
  expect(parseCli([], {})).toMatchObject({ token: undefined });
});

test('bad flags are refused with a message naming the flag', () => {
  expect(() => parseCli(['--port', 'http'], {})).toThrow(CliError);
  expect(() => parseCli(['--provider', 'tpu'], {})).toThrow(/--provider must be one of cpu, cuda/);
  expect(() => parseCli(['--max-body', '1g'], {})).toThrow(/--max-body/);
  expect(() => parseCli(['--bogus'], {})).toThrow(/bogus/);
  expect(() => parseCli(['--log-level', 'loud'], {})).toThrow(/--log-level must be one of/);
});
