// One pass of a separable Gaussian blur along `axis` (0: x, 1: y), edges clamped.
// weights[i] is the normalized weight of the taps at offsets ±i, packed four to a vec4.

const MAX_RADIUS: u32 = 64u;

struct Params {
  radius: u32,
  axis: u32,
  _pad: vec2u,
  weights: array<vec4f, 17>,   // 65 weights (offsets 0…64), 3 unused
}

@group(0) @binding(2) var input: texture_2d<f32>;

fn weight(i: u32) -> f32 {
  return params.weights[i / 4u][i % 4u];
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = vec2i(textureDimensions(output));
  let p = vec2i(id.xy);
  if (outside(id)) { return; }
  let step = select(vec2i(1, 0), vec2i(0, 1), params.axis == 1u);
  var sum = textureLoad(input, p, 0) * weight(0u);
  let r = min(params.radius, MAX_RADIUS);
  for (var i = 1u; i <= r; i++) {
    let o = step * i32(i);
    let a = textureLoad(input, clamp(p + o, vec2i(0), size - 1), 0);
    let b = textureLoad(input, clamp(p - o, vec2i(0), size - 1), 0);
    sum += (a + b) * weight(i);
  }
  textureStore(output, p, sum);
}
