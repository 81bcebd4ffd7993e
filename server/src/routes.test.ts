import { expect, test } from 'vitest';
import { matchRoute } from './routes.ts';

test('protocol paths map onto routes, with or without a version', () => {
  expect(matchRoute('/v2')).toEqual({ kind: 'server-metadata' });
  expect(matchRoute('/v2/health/ready?x=1')).toEqual({ kind: 'ready' });
  expect(matchRoute('/v2/models/m')).toEqual({ kind: 'model-metadata', model: 'm' });
  expect(matchRoute('/v2/models/m/versions/1/infer')).toEqual({
    kind: 'infer',
    model: 'm',
    version: '1',
  });
  expect(matchRoute('/metrics')).toEqual({ kind: 'metrics' });
});

test('unknown paths match nothing', () => {
  for (const path of ['/', '/v2/', '/v2/models', '/v2/models/m/infer/x', '/v1/models/m', 'v2'])
    expect(matchRoute(path), path).toBeUndefined();
});

test('dot segments, encoded separators and bad escapes are refused, not resolved', () => {
  for (const path of [
    '/v2/models/../x',
    '/v2/models/%2E%2E',
    '/v2/models/a%2Fb/ready',
    '/v2/models/a%5Cb',
    '/v2/%zz',
    '/v2/models/a%00',
  ])
    expect(() => matchRoute(path), path).toThrow(/not allowed|percent-encoding/);
  expect(() => matchRoute('/v2/models/-x/ready')).toThrow(/model name '-x' is not valid/);
});
