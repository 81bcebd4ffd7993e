import { describe, expect, test } from 'vitest';
import { decodeBinary, encodeBinary, splitBody } from './binary.ts';
import { halfToNumber, numberToHalf } from './datatypes.ts';
import { decodeJson, encodeJson } from './json.ts';

describe('FP16', () => {
  test('exact halves survive a round trip', () => {
    for (const v of [0, 1, -2, 0.5, 65504, -65504, 2 ** -24, 2 ** -14, 1.5, 0.333251953125])
      expect(halfToNumber(numberToHalf(v))).toBe(v);
  });

  test('values round to the nearest half, ties to even', () => {
    expect(halfToNumber(numberToHalf(0.1))).toBe(0.0999755859375);
    expect(halfToNumber(numberToHalf(1 + 2 ** -11))).toBe(1); // tie: 1 is even
    expect(halfToNumber(numberToHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(numberToHalf(1e6)).toBe(0x7c00); // overflow: +Infinity
    expect(Number.isNaN(halfToNumber(numberToHalf(NaN)))).toBe(true);
  });
});

describe('binary tensors', () => {
  test('BYTES elements are a uint32 LE length then the bytes', () => {
    const bytes = encodeBinary(['ab', '']);
    expect([...bytes]).toEqual([2, 0, 0, 0, 97, 98, 0, 0, 0, 0]);
    expect(decodeBinary('BYTES', bytes, 2, 'x')).toEqual(['ab', '']);
  });

  test('a BYTES length running past the data is refused', () => {
    expect(() => decodeBinary('BYTES', new Uint8Array([9, 0, 0, 0, 1]), 1, 'x')).toThrow(
      /claims 9 bytes/,
    );
    expect(() => decodeBinary('BYTES', new Uint8Array([1, 0]), 1, 'x')).toThrow(/truncated length/);
  });

  test('fixed-size tensors decode from any byte offset', () => {
    const body = Buffer.concat([Buffer.from([0]), Buffer.from(new Float32Array([1.5, -1]).buffer)]);
    expect([...(decodeBinary('FP32', body.subarray(1), 2, 'x') as Float32Array)]).toEqual([
      1.5, -1,
    ]);
  });

  test('BOOL bytes other than 0 and 1 are refused', () => {
    expect(() => decodeBinary('BOOL', new Uint8Array([1, 2]), 2, 'x')).toThrow(
      /BOOL element 1 is 2/,
    );
  });

  test('the header length splits JSON from tensors and must fit the body', () => {
    const body = Buffer.from('{}abcd');
    expect(splitBody(body, '2').binary.toString()).toBe('abcd');
    expect(splitBody(body, undefined).json.toString()).toBe('{}abcd');
    expect(() => splitBody(body, '7')).toThrow(/larger than the body/);
    expect(() => splitBody(body, '-1')).toThrow(/non-negative integer/);
  });
});

describe('JSON tensors', () => {
  test('nested data flattens row-major', () => {
    expect([
      ...(decodeJson(
        'INT32',
        [
          [1, 2],
          [3, 4],
        ],
        4,
        2,
        'x',
      ) as Int32Array),
    ]).toEqual([1, 2, 3, 4]);
  });

  test('integers are range-checked per datatype', () => {
    expect(() => decodeJson('UINT8', [256], 1, 1, 'x')).toThrow(/not an integer in UINT8 range/);
    expect(() => decodeJson('INT32', [1.5], 1, 1, 'x')).toThrow(/INT32/);
  });

  test('INT64 and BOOL come back as JSON numbers and booleans', () => {
    expect(encodeJson('INT64', new BigInt64Array([-5n, 7n]))).toEqual([-5, 7]);
    expect(encodeJson('BOOL', new Uint8Array([1, 0]))).toEqual([true, false]);
  });
});
