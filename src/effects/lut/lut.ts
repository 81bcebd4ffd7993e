import type { CubeLut } from './cube';

/**
 * A LUT ready for both kernels: entries packed into one u32 each (10-bit unorm R | G << 10 |
 * B << 20, clamped to [0, 1]), which keeps a 256³ table at 64 MiB in one storage buffer. The
 * quantization error (≤ 0.5/1023) is far below one 8-bit level.
 */
export interface Lut {
  id: string;
  name: string;
  title: string;
  size: number;
  domainMin: [number, number, number];
  domainMax: [number, number, number];
  packed: Uint32Array<ArrayBuffer>;
}

function to10(v: number): number {
  return Math.round(Math.min(1, Math.max(0, v)) * 1023);
}

/** FNV-1a over the packed table and domain: the same LUT always gets the same id. */
function hashLut(packed: Uint32Array, size: number, domain: number[]): string {
  let h = 0x811c9dc5;
  const mix = (v: number) => {
    for (let s = 0; s < 32; s += 8) {
      h ^= (v >>> s) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  };
  mix(size);
  for (const d of domain) mix(Math.round(d * 1e6));
  for (let i = 0; i < packed.length; i++) mix(packed[i]);
  return `${size}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

export function packLut(cube: CubeLut, name: string): Lut {
  const n = cube.size ** 3;
  const packed = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const t = cube.table;
    packed[i] = (to10(t[i * 3]) | (to10(t[i * 3 + 1]) << 10) | (to10(t[i * 3 + 2]) << 20)) >>> 0;
  }
  const id = hashLut(packed, cube.size, [...cube.domainMin, ...cube.domainMax]);
  return {
    id,
    name,
    title: cube.title,
    size: cube.size,
    domainMin: cube.domainMin,
    domainMax: cube.domainMax,
    packed,
  };
}

function entry(lut: Lut, r: number, g: number, b: number, c: number): number {
  const v = lut.packed[r + lut.size * (g + lut.size * b)];
  return ((v >>> (10 * c)) & 1023) / 1023;
}

/** Trilinear lookup of one normalized colour, exactly as lut-3d.wgsl does it. */
export function sampleLut(lut: Lut, rgb: ArrayLike<number>, out: Float64Array): void {
  const n = lut.size;
  const i0 = [0, 0, 0];
  const f = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const t = (rgb[c] - lut.domainMin[c]) / (lut.domainMax[c] - lut.domainMin[c]);
    const x = Math.min(1, Math.max(0, t)) * (n - 1);
    i0[c] = Math.min(Math.floor(x), n - 2);
    f[c] = x - i0[c];
  }
  const [r0, g0, b0] = i0;
  const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
  for (let c = 0; c < 3; c++) {
    const c00 = lerp(entry(lut, r0, g0, b0, c), entry(lut, r0 + 1, g0, b0, c), f[0]);
    const c10 = lerp(entry(lut, r0, g0 + 1, b0, c), entry(lut, r0 + 1, g0 + 1, b0, c), f[0]);
    const c01 = lerp(entry(lut, r0, g0, b0 + 1, c), entry(lut, r0 + 1, g0, b0 + 1, c), f[0]);
    const c11 = lerp(
      entry(lut, r0, g0 + 1, b0 + 1, c),
      entry(lut, r0 + 1, g0 + 1, b0 + 1, c),
      f[0],
    );
    out[c] = lerp(lerp(c00, c10, f[1]), lerp(c01, c11, f[1]), f[2]);
  }
}
