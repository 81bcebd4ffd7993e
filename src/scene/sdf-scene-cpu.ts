import { createImage, toByte, type RgbaImage } from '../effects/image';
import { FOCAL_LENGTH, orbitBasis, type OrbitCamera } from './orbit';

/**
 * The CPU twin of shaders/sdf-scene.wgsl: the same ray march, the same constants, line for line,
 * in doubles. It agrees with the GPU up to float rounding (a level or two on most pixels; more
 * only where a ray grazes a silhouette). Used as the oracle in e2e/scene.spec.ts and in unit
 * tests; it is far too slow for frames.
 */

/** Every motion in the scene repeats after this many seconds. */
export const SCENE_PERIOD = 12;
/** Words in the kernel's `Params` struct. */
export const SCENE_PARAM_WORDS = 16;

/**
 * The kernel's uniforms, in `Params` order: eye, time, forward, focal, right, pad, up, pad. Time is
 * wrapped to [0, SCENE_PERIOD) first, so float32 keeps its precision however long a clip runs.
 * Both renderers read these float32 values, so they start from identical inputs.
 */
export function sceneParams(time: number, camera: OrbitCamera): Float32Array {
  const t = Number.isFinite(time) ? time - SCENE_PERIOD * Math.floor(time / SCENE_PERIOD) : 0;
  const { eye, forward, right, up } = orbitBasis(camera);
  return new Float32Array([...eye, t, ...forward, FOCAL_LENGTH, ...right, 0, ...up, 0]);
}

const TAU = 6.28318530717959;
const MAX_STEPS = 96;
const MAX_DIST = 40;
const HIT_EPS = 0.0005;
const SHADOW_STEPS = 32;
const NORMAL_EPS = 0.002;
const FOG = 0.0025;

const SPHERE_R = 0.6;
const BOX_CENTRE = [1.6, 0.6, 0.2] as const;
const BOX_HALF = 0.45;
const BOX_ROUND = 0.1;
const TORUS_CENTRE = [0.1, 1.15, -1.6] as const;
const TORUS_R = 0.6;
const TORUS_TUBE = 0.2;

type Rgb = readonly [number, number, number];
const HORIZON: Rgb = [0.66, 0.74, 0.86];
const ZENITH: Rgb = [0.16, 0.32, 0.66];
const GLOW: Rgb = [0.5, 0.38, 0.2];
const SUN_COLOUR: Rgb = [1.25, 1.1, 0.9];
const SKY_FILL: Rgb = [0.3, 0.38, 0.5];
const GROUND_DARK: Rgb = [0.18, 0.19, 0.21];
const GROUND_LIGHT: Rgb = [0.72, 0.72, 0.7];
const SPHERE_ALBEDO: Rgb = [0.8, 0.18, 0.14];
const BOX_ALBEDO: Rgb = [0.16, 0.42, 0.8];
const TORUS_ALBEDO: Rgb = [0.9, 0.66, 0.16];

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The scene at one time: `map` returns the distance and leaves the material in `material`. */
class Scene {
  material = 0;
  readonly #sphereY: number;
  readonly #boxC: number;
  readonly #boxS: number;
  readonly #torusXC: number;
  readonly #torusXS: number;
  readonly #torusZC: number;
  readonly #torusZS: number;

  constructor(t: number) {
    const w = TAU / SCENE_PERIOD;
    this.#sphereY = 1.0 + 0.35 * Math.sin(4 * w * t);
    this.#boxC = Math.cos(w * t);
    this.#boxS = Math.sin(w * t);
    this.#torusXC = Math.cos(2 * w * t);
    this.#torusXS = Math.sin(2 * w * t);
    this.#torusZC = Math.cos(w * t);
    this.#torusZS = Math.sin(w * t);
  }

  map(x: number, y: number, z: number): number {
    let d = y;
    let m = 0;
    const ds = Math.hypot(x + 1.7, y - this.#sphereY, z - 0.3) - SPHERE_R;
    if (ds < d) {
      d = ds;
      m = 1;
    }
    const bx = x - BOX_CENTRE[0];
    const by = y - BOX_CENTRE[1];
    const bz = z - BOX_CENTRE[2];
    const db = sdRoundBox(
      this.#boxC * bx + this.#boxS * bz,
      by,
      this.#boxC * bz - this.#boxS * bx,
      BOX_HALF,
      BOX_ROUND,
    );
    if (db < d) {
      d = db;
      m = 2;
    }
    const tx = x - TORUS_CENTRE[0];
    const ty = y - TORUS_CENTRE[1];
    const tz = z - TORUS_CENTRE[2];
    const ay = this.#torusXC * ty - this.#torusXS * tz;
    const az = this.#torusXS * ty + this.#torusXC * tz;
    const px = this.#torusZC * tx - this.#torusZS * ay;
    const py = this.#torusZS * tx + this.#torusZC * ay;
    const dt = Math.hypot(Math.hypot(px, az) - TORUS_R, py) - TORUS_TUBE;
    if (dt < d) {
      d = dt;
      m = 3;
    }
    this.material = m;
    return d;
  }

  normal(x: number, y: number, z: number, out: number[]): void {
    const e = NORMAL_EPS;
    const a = this.map(x + e, y - e, z - e);
    const b = this.map(x - e, y - e, z + e);
    const c = this.map(x - e, y + e, z - e);
    const d = this.map(x + e, y + e, z + e);
    normalize(a - b - c + d, -a - b + c + d, -a + b - c + d, out);
  }

  softShadow(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): number {
    let res = 1;
    let t = 0.02;
    for (let i = 0; i < SHADOW_STEPS; i++) {
      const h = this.map(ox + dx * t, oy + dy * t, oz + dz * t);
      res = Math.min(res, (8 * h) / t);
      t += clamp(h, 0.02, 0.3);
      if (res < 0.002 || t > 10) break;
    }
    const s = clamp(res, 0, 1);
    return s * s * (3 - 2 * s);
  }

  occlusion(x: number, y: number, z: number, n: number[]): number {
    let occ = 0;
    let scale = 1;
    for (let i = 0; i < 4; i++) {
      const h = 0.03 + 0.12 * i;
      occ += (h - this.map(x + n[0] * h, y + n[1] * h, z + n[2] * h)) * scale;
      scale *= 0.7;
    }
    return clamp(1 - 1.5 * occ, 0, 1);
  }
}

function sdRoundBox(x: number, y: number, z: number, half: number, r: number): number {
  const qx = Math.abs(x) - (half - r);
  const qy = Math.abs(y) - (half - r);
  const qz = Math.abs(z) - (half - r);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0), Math.max(qz, 0));
  return outside + Math.min(Math.max(qx, Math.max(qy, qz)), 0) - r;
}

/** abs(fract(x) − 0.5), with WGSL's fract (x − floor(x)). */
function tri(x: number): number {
  return Math.abs(x - Math.floor(x) - 0.5);
}

function normalize(x: number, y: number, z: number, out: number[]): void {
  const l = Math.hypot(x, y, z);
  out[0] = x / l;
  out[1] = y / l;
  out[2] = z / l;
}

function sky(rd: number[], sun: number[], out: number[]): void {
  const h = clamp(rd[1], 0, 1);
  const g = Math.max(rd[0] * sun[0] + rd[1] * sun[1] + rd[2] * sun[2], 0);
  const g2 = g * g;
  const g4 = g2 * g2;
  const k = h * (2 - h);
  for (let c = 0; c < 3; c++)
    out[c] = HORIZON[c] + (ZENITH[c] - HORIZON[c]) * k + GLOW[c] * g4 * g4;
}

/** Renders the scene at `time` seconds from `camera`, as the GPU kernel does. */
export function renderSceneCpu(
  width: number,
  height: number,
  time: number,
  camera: OrbitCamera,
): RgbaImage {
  const params = sceneParams(time, camera);
  const eye = [params[0], params[1], params[2]];
  const forward = [params[4], params[5], params[6]];
  const focal = params[7];
  const right = [params[8], params[9], params[10]];
  const up = [params[12], params[13], params[14]];
  const scene = new Scene(params[3]);
  const sun = [0, 0, 0];
  normalize(-0.5, 0.7, 0.45, sun);
  const img = createImage(width, height);
  const rd = [0, 0, 0];
  const n = [0, 0, 0];
  const col = [0, 0, 0];
  const hv = [0, 0, 0];
  const ground: [number, number, number] = [0, 0, 0];
  const w = width;
  const h = height;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const u = (2 * (px + 0.5) - w) / h;
      const v = (h - 2 * (py + 0.5)) / h;
      normalize(
        forward[0] * focal + right[0] * u + up[0] * v,
        forward[1] * focal + right[1] * u + up[1] * v,
        forward[2] * focal + right[2] * u + up[2] * v,
        rd,
      );

      let t = 0;
      for (let i = 0; i < MAX_STEPS; i++) {
        const d = scene.map(eye[0] + rd[0] * t, eye[1] + rd[1] * t, eye[2] + rd[2] * t);
        if (d < HIT_EPS * t) break;
        t += d;
        if (t > MAX_DIST) break;
      }

      sky(rd, sun, col);
      if (t < MAX_DIST) {
        const x = eye[0] + rd[0] * t;
        const y = eye[1] + rd[1] * t;
        const z = eye[2] + rd[2] * t;
        scene.map(x, y, z);
        const m = scene.material;
        scene.normal(x, y, z, n);
        let albedo: Rgb = TORUS_ALBEDO;
        let specAmount = 0.6;
        if (m === 0) {
          // Unit checker squares, box-filtered over the pixel's footprint on the ground.
          const fw = Math.max((t * 2) / (h * focal) / Math.max(-rd[1], 0.2), 0.001);
          const sqx = (2 * (tri((x - 0.5 * fw) * 0.5) - tri((x + 0.5 * fw) * 0.5))) / fw;
          const sqz = (2 * (tri((z - 0.5 * fw) * 0.5) - tri((z + 0.5 * fw) * 0.5))) / fw;
          const k = 0.5 - 0.5 * sqx * sqz;
          for (let c = 0; c < 3; c++) {
            ground[c] = GROUND_DARK[c] + (GROUND_LIGHT[c] - GROUND_DARK[c]) * k;
          }
          albedo = ground;
          specAmount = 0;
        } else if (m === 1) {
          albedo = SPHERE_ALBEDO;
          specAmount = 0.5;
        } else if (m === 2) {
          albedo = BOX_ALBEDO;
          specAmount = 0.35;
        }
        const diffuse = Math.max(n[0] * sun[0] + n[1] * sun[1] + n[2] * sun[2], 0);
        const shadow =
          diffuse > 0
            ? scene.softShadow(
                x + n[0] * 0.002,
                y + n[1] * 0.002,
                z + n[2] * 0.002,
                sun[0],
                sun[1],
                sun[2],
              )
            : 0;
        const ao = scene.occlusion(x, y, z, n);
        normalize(sun[0] - rd[0], sun[1] - rd[1], sun[2] - rd[2], hv);
        const s1 = Math.max(n[0] * hv[0] + n[1] * hv[1] + n[2] * hv[2], 0);
        const s2 = s1 * s1;
        const s4 = s2 * s2;
        const s8 = s4 * s4;
        const s16 = s8 * s8;
        const lit = diffuse * shadow;
        const fill = (0.55 + 0.45 * n[1]) * ao;
        const fog = 1 - Math.exp(-FOG * t * t);
        for (let c = 0; c < 3; c++) {
          const lin =
            albedo[c] * (SUN_COLOUR[c] * lit + SKY_FILL[c] * fill) + specAmount * (s16 * s16) * lit;
          col[c] = lin + (col[c] - lin) * fog;
        }
      }
      const i = (py * width + px) * 4;
      img.data[i] = toByte(Math.sqrt(clamp(col[0], 0, 1)));
      img.data[i + 1] = toByte(Math.sqrt(clamp(col[1], 0, 1)));
      img.data[i + 2] = toByte(Math.sqrt(clamp(col[2], 0, 1)));
      img.data[i + 3] = 255;
    }
  }
  return img;
}
