import { describe, expect, test } from 'vitest';
import { RateLimiter, hasToken, hostAllowed, isLoopback, originAllowed } from './security.ts';

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

test('the rate limiter allows a burst, then one request per 1/rate seconds, per client', () => {
  let now = 0;
  const limiter = new RateLimiter(2, 2, () => now);
  expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 1]);
  expect(limiter.take('b')).toBe(0);
  now += 500;
  expect(limiter.take('a')).toBe(0);
  expect(limiter.take('a')).toBe(1);
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
