// Curves: each colour channel through the master curve, then its own. A curve is a monotone
// cubic Hermite spline through up to 16 knots (x, y, tangent), flat beyond its ends
// (src/effects/tone.ts `evalCurve` is the CPU twin; `curveKnots` computes the tangents).

const MAX_POINTS = 16u;

struct Params {
  // knots in use: master, red, green, blue
  counts: vec4u,
  // curve c's knot k at [c * MAX_POINTS + k]: (x, y, dy/dx, unused)
  knots: array<vec4f, 64>,
}

@group(0) @binding(2) var input: texture_2d<f32>;

fn curve(c: u32, x: f32) -> f32 {
  let base = c * MAX_POINTS;
  let n = params.counts[c];
  let first = params.knots[base];
  let last = params.knots[base + n - 1u];
  if (x <= first.x) { return first.y; }
  if (x >= last.x) { return last.y; }
  var k = 0u;
  for (var i = 1u; i < n - 1u; i++) {
    if (x >= params.knots[base + i].x) { k = i; }
  }
  let p0 = params.knots[base + k];
  let p1 = params.knots[base + k + 1u];
  let h = p1.x - p0.x;
  let t = (x - p0.x) / h;
  let t2 = t * t;
  let t3 = t2 * t;
  return (2.0 * t3 - 3.0 * t2 + 1.0) * p0.y + (t3 - 2.0 * t2 + t) * h * p0.z
    + (-2.0 * t3 + 3.0 * t2) * p1.y + (t3 - t2) * h * p1.z;
}

fn tone(c: u32, x: f32) -> f32 {
  return curve(c, clamp(curve(0u, x), 0.0, 1.0));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let c = textureLoad(input, id.xy, 0);
  let rgb = vec3f(tone(1u, c.r), tone(2u, c.g), tone(3u, c.b));
  textureStore(output, id.xy, vec4f(clamp(rgb, vec3f(0.0), vec3f(1.0)), c.a));
}
