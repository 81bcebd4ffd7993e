import { expect, test } from 'vitest';
import { HttpError } from '../errors.ts';
import { MAX_JSON_DEPTH, jsonDepth, parseJsonBody, preview } from './json-body.ts';

const bytes = (s: string) => Buffer.from(s, 'utf8');

test('jsonDepth counts arrays and objects, not brackets inside strings', () => {
  expect(jsonDepth(bytes('1'))).toBe(0);
  expect(jsonDepth(bytes('{"a":[1,[2]],"b":{}}'))).toBe(3);
  expect(jsonDepth(bytes('{"a":"[[[[{{{{"}'))).toBe(1);
  expect(jsonDepth(bytes('{"a":"\\"[[[[\\\\","b":[[]]}'))).toBe(3);
  expect(jsonDepth(bytes('['.repeat(10_000)), 5)).toBe(6); // stops past the limit
});

test('a body nested past the limit is a 400 that names the limit, before it is parsed', () => {
  const ok = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
  expect(parseJsonBody(bytes(ok))).toBeInstanceOf(Array);
  const deep = `{"inputs":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`;
  const error = (() => {
    try {
      parseJsonBody(bytes(deep));
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).status).toBe(400);
  expect((error as HttpError).message).toMatch(`the limit is ${MAX_JSON_DEPTH}`);
  // Unbalanced brackets are still a depth: refused without JSON.parse walking them.
  expect(() => parseJsonBody(bytes('['.repeat(1_000_000)))).toThrow('nested more than');
  expect(() => parseJsonBody(bytes('{"a":'))).toThrow('request JSON is invalid');
});

test('preview quotes a value without walking it', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  expect(preview(deep)).toBe('an array of 1');
  expect(preview('x'.repeat(100))).toBe(JSON.stringify('x'.repeat(40)));
  expect(preview(null)).toBe('null');
  expect(preview({ a: 1 })).toBe('an object');
});
