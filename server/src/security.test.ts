import { describe, expect, test } from 'vitest';
import { checkPath, hasToken, hostAllowed, isLoopback, originAllowed } from './security.ts';

test('a bearer token matches only exactly', () => {
  expect(hasToken('Bearer abc', 'abc')).toBe(true);
  expect(hasToken('bearer abc', 'abc')).toBe(true);
  expect(hasToken('Bearer abcd', 'abc')).toBe(false);
  expect(hasToken('abc', 'abc')).toBe(false);
  expect(hasToken(undefined, 'abc')).toBe(false);
});

test('the CORS allow-list matches whole origins; * allows any', () => {
  expect(originAllowed('http://localhost:5173', ['http://localhost:5173'])).toBe(true);
  expect(originAllowed('http://localhost:51730', ['http://localhost:5173'])).toBe(false);
  expect(originAllowed('https://x.example', ['*'])).toBe(true);
});

test('dot segments, encoded separators and bad escapes are refused, not resolved', () => {
  for (const path of [
    '/v2/models/../x',
    '/v2/models/%2E%2E',
    '/v2/models/a%2Fb/ready',
    '/v2/models/a%5Cb',
    '/v2/%zz',
    '/v2/models/a%00',
    '/v2/models/./m',
  ])
    expect(() => checkPath(path), path).toThrow(/not allowed|percent-encoding/);
  for (const path of ['/', '/v2', '/v2/models/m.v1/versions/1/infer?x=../..', '/v2/models/a%20b'])
    expect(() => checkPath(path), path).not.toThrow();
});

describe('Host check', () => {
  test('loopback names pass on any port; other names do not; * lets any through', () => {
    const allow = ['localhost', '127.0.0.1', '::1'];
    for (const h of [
      'localhost',
      'localhost:8000',
      '127.0.0.1:9',
      '[::1]:8000',
      'LOCALHOST:1',
      undefined,
    ])
      expect(hostAllowed(h, allow), String(h)).toBe(true);
    for (const h of ['evil.example', 'evil.example:8000', '127.0.0.1.evil.example', '[::2]:80', ''])
      expect(hostAllowed(h, allow), h).toBe(false);
    expect(hostAllowed('evil.example', ['*'])).toBe(true);
  });

  test('isLoopback knows which bind addresses stay on this machine', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1'])
      expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1'])
      expect(isLoopback(h), h).toBe(false);
  });
});
