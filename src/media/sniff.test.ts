import { describe, expect, it } from 'vitest';
import { sniffImageType } from './sniff';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(
    parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)),
  );

describe('image type sniffing', () => {
  it.each([
    ['PNG', bytes([0x89], 'PNG', [13, 10, 26, 10])],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0])],
    ['GIF', bytes('GIF89a')],
    ['WebP', bytes('RIFF', [0, 0, 0, 0], 'WEBP')],
    ['AVIF', bytes([0, 0, 0, 28], 'ftypavif')],
  ])('recognises %s by its signature', (type, header) => {
    expect(sniffImageType(header)).toBe(type);
  });

  it('rejects text, MP4 and empty input', () => {
    expect(sniffImageType(bytes('hello world!'))).toBeNull();
    expect(sniffImageType(bytes([0, 0, 0, 28], 'ftypisom'))).toBeNull();
    expect(sniffImageType(new Uint8Array(0))).toBeNull();
  });
});
