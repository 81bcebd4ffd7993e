import { expect, test } from 'vitest';
import { RateLimiter, hasToken, originAllowed } from './security.ts';

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
