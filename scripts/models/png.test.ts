import { describe, expect, it } from 'vitest';
import { decodePng, encodePng } from './png';

describe('the scripts’ PNG codec', () => {
  it('decodes what it encodes, byte for byte (Sub-filtered rows)', () => {
    const width = 7;
    const height = 5;
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 3) * 11) & 0xff;
    const back = decodePng(encodePng({ width, height, data }));
    expect([back.width, back.height]).toEqual([width, height]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });
});
