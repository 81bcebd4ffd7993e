/**
 * Parser for Adobe/Resolve `.cube` 3D LUT files: TITLE, LUT_3D_SIZE (2–256), DOMAIN_MIN,
 * DOMAIN_MAX, LUT_3D_INPUT_RANGE, `#` comments and blank lines, then size³ rows of three numbers
 * with red changing fastest. Anything else is an error that names the line and the problem.
 */

export interface CubeLut {
  title: string;
  size: number;
  domainMin: [number, number, number];
  domainMax: [number, number, number];
  /** size³ × 3 floats, red fastest. */
  table: Float32Array;
}

export class CubeParseError extends Error {
  override name = 'CubeParseError';
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(line > 0 ? `line ${line}: ${problem}` : problem);
  }
}

export const MIN_CUBE_SIZE = 2;
export const MAX_CUBE_SIZE = 256;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function parseNumbers(parts: string[], count: number, line: number, what: string): number[] {
  if (parts.length !== count) {
    throw new CubeParseError(line, `${what} needs ${count} numbers, found ${parts.length}`);
  }
  return parts.map((p) => {
    if (!NUMBER.test(p)) throw new CubeParseError(line, `"${p}" is not a number`);
    return Number(p);
  });
}

export function parseCube(text: string): CubeLut {
  let title = '';
  let size = 0;
  let domainMin: [number, number, number] = [0, 0, 0];
  let domainMax: [number, number, number] = [1, 1, 1];
  let table: Float32Array | null = null;
  let rows = 0;
  const seen = new Set<string>();

  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i].replace(/^\uFEFF/, '');
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    const keyword = parts[0];

    if (/^[A-Za-z_]/.test(keyword)) {
      if (table && rows > 0) throw new CubeParseError(n, `keyword ${keyword} after the table data`);
      if (seen.has(keyword)) throw new CubeParseError(n, `${keyword} appears twice`);
      seen.add(keyword);
      const args = parts.slice(1);
      switch (keyword) {
        case 'TITLE': {
          const m = /^TITLE\s+"(.*)"\s*$/.exec(line);
          if (!m) throw new CubeParseError(n, 'TITLE must be followed by a "quoted string"');
          title = m[1];
          break;
        }
        case 'LUT_3D_SIZE': {
          const [v] = parseNumbers(args, 1, n, 'LUT_3D_SIZE');
          if (!Number.isInteger(v) || v < MIN_CUBE_SIZE || v > MAX_CUBE_SIZE) {
            throw new CubeParseError(
              n,
              `LUT_3D_SIZE must be a whole number from ${MIN_CUBE_SIZE} to ${MAX_CUBE_SIZE}, found ${args[0]}`,
            );
          }
          size = v;
          table = new Float32Array(size * size * size * 3);
          break;
        }
        case 'LUT_1D_SIZE':
          throw new CubeParseError(n, '1D LUTs (LUT_1D_SIZE) are not supported; use a 3D LUT');
        case 'DOMAIN_MIN':
          domainMin = parseNumbers(args, 3, n, 'DOMAIN_MIN') as [number, number, number];
          break;
        case 'DOMAIN_MAX':
          domainMax = parseNumbers(args, 3, n, 'DOMAIN_MAX') as [number, number, number];
          break;
        case 'LUT_3D_INPUT_RANGE': {
          const [lo, hi] = parseNumbers(args, 2, n, 'LUT_3D_INPUT_RANGE');
          domainMin = [lo, lo, lo];
          domainMax = [hi, hi, hi];
          break;
        }
        default:
          throw new CubeParseError(n, `unknown keyword "${keyword}"`);
      }
      continue;
    }

    if (!table) throw new CubeParseError(n, 'table data before LUT_3D_SIZE');
    const values = parseNumbers(parts, 3, n, 'a table row');
    if (rows >= size * size * size) {
      throw new CubeParseError(n, `more than ${size}³ = ${size * size * size} table rows`);
    }
    table.set(values, rows * 3);
    rows++;
  }

  if (!table) throw new CubeParseError(0, 'no LUT_3D_SIZE line: this is not a 3D .cube LUT');
  const expected = size * size * size;
  if (rows !== expected) {
    throw new CubeParseError(
      lines.length,
      `the table has ${rows} rows; LUT_3D_SIZE ${size} needs ${expected}`,
    );
  }
  for (let c = 0; c < 3; c++) {
    if (!(domainMin[c] < domainMax[c])) {
      throw new CubeParseError(0, `DOMAIN_MIN must be below DOMAIN_MAX in every channel`);
    }
  }
  return { title, size, domainMin, domainMax, table };
}

/** Writes a LUT as `.cube` text (used by tests and to build sample LUTs). */
export function formatCube(lut: CubeLut): string {
  const out = [`TITLE "${lut.title}"`, `LUT_3D_SIZE ${lut.size}`];
  out.push(`DOMAIN_MIN ${lut.domainMin.join(' ')}`, `DOMAIN_MAX ${lut.domainMax.join(' ')}`);
  for (let i = 0; i < lut.table.length; i += 3) {
    out.push(
      `${lut.table[i].toFixed(6)} ${lut.table[i + 1].toFixed(6)} ${lut.table[i + 2].toFixed(6)}`,
    );
  }
  return out.join('\n') + '\n';
}

/** Builds a LUT by sampling `fn` on the size³ grid (identity when fn returns its input). */
export function sampleCube(
  size: number,
  fn: (r: number, g: number, b: number) => [number, number, number],
  title = 'generated',
): CubeLut {
  const table = new Float32Array(size * size * size * 3);
  let k = 0;
  for (let b = 0; b < size; b++)
    for (let g = 0; g < size; g++)
      for (let r = 0; r < size; r++) {
        const v = fn(r / (size - 1), g / (size - 1), b / (size - 1));
        table[k++] = v[0];
        table[k++] = v[1];
        table[k++] = v[2];
      }
  return { title, size, domainMin: [0, 0, 0], domainMax: [1, 1, 1], table };
}
