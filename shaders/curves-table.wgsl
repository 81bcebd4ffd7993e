// Curves, first step: the table of every 8-bit input level through the master curve, then each
// channel's own, into a 256 × 1 texture (x = input level; r, g, b = that channel's output). A
// curve is a monotone cubic Hermite spline through up to 16 knots (x, y, tangent), flat beyond
// its ends (src/effects/tone.ts `evalCurve` is the CPU twin; `curveKnots` computes the tangents).
// Frames are 8-bit, so looking pixels up in this table (channel-table.wgsl) is the spline itself.

const MAX_POINTS = 16u;

struct Params {
  // knots in use: master, red, green, blue
  counts: vec4u,
  // curve c's knot k at [c * MAX_POINTS + k]: (x, y, dy/dx, unused)
  knots: array<vec4f, 64>,
}

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
  let x = f32(id.x) / 255.0;
  let rgb = vec3f(tone(1u, x), tone(2u, x), tone(3u, x));
  textureStore(output, id.xy, vec4f(clamp(rgb, vec3f(0.0), vec3f(1.0)), 1.0));
}
