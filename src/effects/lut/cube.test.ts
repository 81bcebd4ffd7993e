import { describe, expect, it } from 'vitest';
import { CubeParseError, formatCube, parseCube, sampleCube } from './cube';

function expectError(text: string, line: number, fragment: string) {
  try {
    parseCube(text);
  } catch (e) {
    expect(e).toBeInstanceOf(CubeParseError);
    expect((e as CubeParseError).line).toBe(line);
    expect((e as CubeParseError).message).toContain(fragment);
    return;
  }
  throw new Error('expected a CubeParseError');
}

const identity2 = `# comment
TITLE "Identity"
LUT_3D_SIZE 2

0 0 0
1 0 0
0 1 0
1 1 0
0 0 1
1 0 1
0 1 1
1 1 1
`;

describe('.cube parser', () => {
  it('reads a 2³ identity LUT with title, comments and blank lines', () => {
    const lut = parseCube(identity2);
    expect(lut.title).toBe('Identity');
    expect(lut.size).toBe(2);
    expect(lut.domainMin).toEqual([0, 0, 0]);
    expect(lut.domainMax).toEqual([1, 1, 1]);
    expect(Array.from(lut.table.slice(3, 6))).toEqual([1, 0, 0]);
    expect(Array.from(lut.table.slice(21, 24))).toEqual([1, 1, 1]);
  });

  it.each([2, 17, 33, 65])('round-trips a %i³ LUT through format and parse', (size) => {
    const source = sampleCube(size, (r, g, b) => [g, b, r], `swap ${size}`);
    const lut = parseCube(formatCube(source));
    expect(lut.size).toBe(size);
    expect(lut.title).toBe(`swap ${size}`);
    expect(lut.table.length).toBe(size ** 3 * 3);
    let maxError = 0;
    for (let i = 0; i < lut.table.length; i++) {
      maxError = Math.max(maxError, Math.abs(lut.table[i] - source.table[i]));
    }
    expect(maxError).toBeLessThan(1e-6);
  });

  it('reads DOMAIN_MIN / DOMAIN_MAX, Windows line ends and exponent notation', () => {
    const text = identity2
      .replace('LUT_3D_SIZE 2', 'LUT_3D_SIZE 2\nDOMAIN_MIN 0 0 0\nDOMAIN_MAX 2 2 2')
      .replace('1 1 1', '1e0 1.0E+0 +1')
      .replace(/\n/g, '\r\n');
    const lut = parseCube(text);
    expect(lut.domainMax).toEqual([2, 2, 2]);
    expect(Array.from(lut.table.slice(21, 24))).toEqual([1, 1, 1]);
  });

  it('reads a Resolve LUT_3D_INPUT_RANGE as the domain', () => {
    const lut = parseCube(
      identity2.replace('LUT_3D_SIZE 2', 'LUT_3D_SIZE 2\nLUT_3D_INPUT_RANGE -0.5 1.5'),
    );
    expect(lut.domainMin).toEqual([-0.5, -0.5, -0.5]);
    expect(lut.domainMax).toEqual([1.5, 1.5, 1.5]);
  });

  it('names the line of a non-numeric value', () => {
    expectError(identity2.replace('1 0 1', '1 zero 1'), 10, '"zero" is not a number');
  });

  it('names the line of a row with the wrong number of values', () => {
    expectError(identity2.replace('0 1 0', '0 1'), 7, 'needs 3 numbers, found 2');
  });

  it('rejects a size outside 2–256', () => {
    expectError(identity2.replace('LUT_3D_SIZE 2', 'LUT_3D_SIZE 1'), 3, 'from 2 to 256');
    expectError(identity2.replace('LUT_3D_SIZE 2', 'LUT_3D_SIZE 300'), 3, 'found 300');
    expectError(identity2.replace('LUT_3D_SIZE 2', 'LUT_3D_SIZE 2.5'), 3, 'whole number');
  });

  it('rejects a table that is too short, saying how many rows it needs', () => {
    expectError(identity2.replace('1 1 1\n', ''), 12, 'has 7 rows; LUT_3D_SIZE 2 needs 8');
  });

  it('rejects a table that is too long', () => {
    expectError(identity2 + '0.5 0.5 0.5\n', 13, 'more than 2³ = 8 table rows');
  });

  it('rejects data before the size and files without one', () => {
    expectError('0 0 0\nLUT_3D_SIZE 2\n', 1, 'before LUT_3D_SIZE');
    expectError('TITLE "x"\n', 0, 'no LUT_3D_SIZE');
    expectError('', 0, 'no LUT_3D_SIZE');
  });

  it('rejects 1D LUTs, unknown keywords, repeated keywords and a bad TITLE', () => {
    expectError('LUT_1D_SIZE 16\n', 1, '1D LUTs');
    expectError(identity2.replace('TITLE "Identity"', 'FOO 1'), 2, 'unknown keyword "FOO"');
    expectError(
      identity2.replace('LUT_3D_SIZE 2', 'LUT_3D_SIZE 2\nLUT_3D_SIZE 2'),
      4,
      'appears twice',
    );
    expectError(identity2.replace('TITLE "Identity"', 'TITLE Identity'), 2, 'quoted string');
  });

  it('rejects a keyword after the table data', () => {
    expectError(identity2.replace('0 0 1', 'DOMAIN_MIN 0 0 0\n0 0 1'), 9, 'after the table data');
  });

  it('rejects an empty domain', () => {
    expectError(
      identity2.replace('LUT_3D_SIZE 2', 'LUT_3D_SIZE 2\nDOMAIN_MAX 1 0 1'),
      0,
      'DOMAIN_MIN must be below',
    );
  });
});
