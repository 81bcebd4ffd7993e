// SDF scene: ray-marches a small animated scene (a checkered ground, a bobbing sphere, a spinning
// rounded box, a tumbling torus) lit by a sun with soft shadows, sky fill and ambient occlusion,
// fogged into a sky gradient. No inputs: the kernel renders at the output's size.
//
// Its CPU twin is src/scene/sdf-scene-cpu.ts: every constant and formula here has a line there;
// change both together. Everything is continuous where it can be (the checker is filtered, powers
// are repeated squares) so the two agree up to float rounding.

struct Params {
  eye: vec3f,
  time: f32, // seconds, wrapped to [0, PERIOD) on the CPU
  forward: vec3f,
  focal: f32, // 1 / tan(vertical fov / 2)
  right: vec3f,
  _pad0: f32,
  up: vec3f,
  _pad1: f32,
}

const TAU: f32 = 6.28318530717959;
// Every motion repeats after PERIOD seconds.
const PERIOD: f32 = 12.0;
const MAX_STEPS: i32 = 96;
const MAX_DIST: f32 = 40.0;
const HIT_EPS: f32 = 0.0005; // relative to the distance marched
const SHADOW_STEPS: i32 = 32;
const NORMAL_EPS: f32 = 0.002;
const FOG: f32 = 0.0025;

const SPHERE_R: f32 = 0.6;
const BOX_CENTRE: vec3f = vec3f(1.6, 0.6, 0.2);
const BOX_HALF: f32 = 0.45;
const BOX_ROUND: f32 = 0.1;
const TORUS_CENTRE: vec3f = vec3f(0.1, 1.15, -1.6);
const TORUS_R: f32 = 0.6;
const TORUS_TUBE: f32 = 0.2;

const HORIZON: vec3f = vec3f(0.66, 0.74, 0.86);
const ZENITH: vec3f = vec3f(0.16, 0.32, 0.66);
const GLOW: vec3f = vec3f(0.5, 0.38, 0.2);
const SUN_COLOUR: vec3f = vec3f(1.25, 1.1, 0.9);
const SKY_FILL: vec3f = vec3f(0.3, 0.38, 0.5);
const GROUND_DARK: vec3f = vec3f(0.18, 0.19, 0.21);
const GROUND_LIGHT: vec3f = vec3f(0.72, 0.72, 0.7);
const SPHERE_ALBEDO: vec3f = vec3f(0.8, 0.18, 0.14);
const BOX_ALBEDO: vec3f = vec3f(0.16, 0.42, 0.8);
const TORUS_ALBEDO: vec3f = vec3f(0.9, 0.66, 0.16);

// The animation, set once per invocation by animate().
var<private> sphere_centre: vec3f;
var<private> box_yaw: vec2f; // cos, sin
var<private> torus_x: vec2f; // cos, sin of the turn about x
var<private> torus_z: vec2f; // cos, sin of the turn about z

fn animate(t: f32) {
  let w = TAU / PERIOD;
  sphere_centre = vec3f(-1.7, 1.0 + 0.35 * sin(4.0 * w * t), 0.3);
  box_yaw = vec2f(cos(w * t), sin(w * t));
  torus_x = vec2f(cos(2.0 * w * t), sin(2.0 * w * t));
  torus_z = vec2f(cos(w * t), sin(w * t));
}

fn sd_round_box(p: vec3f, half_size: f32, r: f32) -> f32 {
  let q = abs(p) - vec3f(half_size - r);
  return length(max(q, vec3f(0.0))) + min(max(q.x, max(q.y, q.z)), 0.0) - r;
}

fn sd_torus(p: vec3f, big: f32, tube: f32) -> f32 {
  return length(vec2f(length(p.xz) - big, p.y)) - tube;
}

// x: distance to the nearest surface; y: its material (0 ground, 1 sphere, 2 box, 3 torus).
fn map(p: vec3f) -> vec2f {
  var res = vec2f(p.y, 0.0);
  let ds = length(p - sphere_centre) - SPHERE_R;
  if (ds < res.x) { res = vec2f(ds, 1.0); }
  let pb = p - BOX_CENTRE;
  let qb = vec3f(box_yaw.x * pb.x + box_yaw.y * pb.z, pb.y, box_yaw.x * pb.z - box_yaw.y * pb.x);
  let db = sd_round_box(qb, BOX_HALF, BOX_ROUND);
  if (db < res.x) { res = vec2f(db, 2.0); }
  let pt = p - TORUS_CENTRE;
  let pa = vec3f(pt.x, torus_x.x * pt.y - torus_x.y * pt.z, torus_x.y * pt.y + torus_x.x * pt.z);
  let pz = vec3f(torus_z.x * pa.x - torus_z.y * pa.y, torus_z.y * pa.x + torus_z.x * pa.y, pa.z);
  let dt = sd_torus(pz, TORUS_R, TORUS_TUBE);
  if (dt < res.x) { res = vec2f(dt, 3.0); }
  return res;
}

fn normal_at(p: vec3f) -> vec3f {
  let a = map(p + vec3f(NORMAL_EPS, -NORMAL_EPS, -NORMAL_EPS)).x;
  let b = map(p + vec3f(-NORMAL_EPS, -NORMAL_EPS, NORMAL_EPS)).x;
  let c = map(p + vec3f(-NORMAL_EPS, NORMAL_EPS, -NORMAL_EPS)).x;
  let d = map(p + vec3f(NORMAL_EPS, NORMAL_EPS, NORMAL_EPS)).x;
  return normalize(vec3f(a - b - c + d, -a - b + c + d, -a + b - c + d));
}

fn soft_shadow(ro: vec3f, rd: vec3f) -> f32 {
  var res = 1.0;
  var t = 0.02;
  for (var i = 0; i < SHADOW_STEPS; i++) {
    let h = map(ro + rd * t).x;
    res = min(res, 8.0 * h / t);
    t += clamp(h, 0.02, 0.3);
    if (res < 0.002 || t > 10.0) { break; }
  }
  let s = clamp(res, 0.0, 1.0);
  return s * s * (3.0 - 2.0 * s);
}

fn occlusion(p: vec3f, n: vec3f) -> f32 {
  var occ = 0.0;
  var scale = 1.0;
  for (var i = 0; i < 4; i++) {
    let h = 0.03 + 0.12 * f32(i);
    occ += (h - map(p + n * h).x) * scale;
    scale *= 0.7;
  }
  return clamp(1.0 - 1.5 * occ, 0.0, 1.0);
}

fn sky(rd: vec3f, sun: vec3f) -> vec3f {
  let h = clamp(rd.y, 0.0, 1.0);
  let g = max(dot(rd, sun), 0.0);
  let g2 = g * g;
  let g4 = g2 * g2;
  return mix(HORIZON, ZENITH, h * (2.0 - h)) + GLOW * (g4 * g4);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(output);
  if (outside(id)) { return; }
  animate(params.time);
  let w = f32(size.x);
  let h = f32(size.y);
  let u = (2.0 * (f32(id.x) + 0.5) - w) / h;
  let v = (h - 2.0 * (f32(id.y) + 0.5)) / h;
  let ro = params.eye;
  let rd = normalize(params.forward * params.focal + params.right * u + params.up * v);
  let sun = normalize(vec3f(-0.5, 0.7, 0.45));

  var t = 0.0;
  for (var i = 0; i < MAX_STEPS; i++) {
    let d = map(ro + rd * t).x;
    if (d < HIT_EPS * t) { break; }
    t += d;
    if (t > MAX_DIST) { break; }
  }

  var col = sky(rd, sun);
  if (t < MAX_DIST) {
    let p = ro + rd * t;
    let m = map(p).y;
    let n = normal_at(p);
    var albedo = TORUS_ALBEDO;
    var spec_amount = 0.6;
    if (m < 0.5) {
      // Unit checker squares, box-filtered over the pixel's footprint on the ground (the
      // integral of a square wave is a triangle wave: continuous, so no aliasing and no jumps).
      let fw = max(t * 2.0 / (h * params.focal) / max(-rd.y, 0.2), 0.001);
      let lo = abs(fract((p.xz - 0.5 * fw) * 0.5) - 0.5);
      let hi = abs(fract((p.xz + 0.5 * fw) * 0.5) - 0.5);
      let sq = 2.0 * (lo - hi) / fw;
      albedo = mix(GROUND_DARK, GROUND_LIGHT, 0.5 - 0.5 * sq.x * sq.y);
      spec_amount = 0.0;
    } else if (m < 1.5) {
      albedo = SPHERE_ALBEDO;
      spec_amount = 0.5;
    } else if (m < 2.5) {
      albedo = BOX_ALBEDO;
      spec_amount = 0.35;
    }
    let diffuse = max(dot(n, sun), 0.0);
    var shadow = 0.0;
    if (diffuse > 0.0) { shadow = soft_shadow(p + n * 0.002, sun); }
    let ao = occlusion(p, n);
    let half_vector = normalize(sun - rd);
    let s1 = max(dot(n, half_vector), 0.0);
    let s2 = s1 * s1;
    let s4 = s2 * s2;
    let s8 = s4 * s4;
    let s16 = s8 * s8;
    let lit = diffuse * shadow;
    var c = albedo * (SUN_COLOUR * lit + SKY_FILL * (0.55 + 0.45 * n.y) * ao);
    c += vec3f(spec_amount * (s16 * s16) * lit);
    col = mix(c, col, 1.0 - exp(-FOG * t * t));
  }
  textureStore(output, id.xy, vec4f(sqrt(clamp(col, vec3f(0.0), vec3f(1.0))), 1.0));
}
