// Chromatic aberration: red is sampled `amount` pixels outward along the ray from the centre,
// blue as far inward, green in place. Bilinear taps are done by hand (the prelude's `bilinear`,
// clamped at the edges) so the CPU reference can match them exactly.

struct Params {
  amount: f32,
  _pad0: f32,
  _pad1: f32,
  _pad2: f32,
}

@group(0) @binding(2) var input: texture_2d<f32>;

fn texel(p: vec2i, size: vec2i) -> vec4f {
  return textureLoad(input, clamp(p, vec2i(0), size - 1), 0);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = vec2i(textureDimensions(output));
  if (outside(id)) { return; }
  let centre = vec2f(size) * 0.5;
  let p = vec2f(id.xy) + 0.5;
  let dir = (p - centre) / length(centre);
  let here = texel(vec2i(id.xy), size);
  let red = bilinear(input, p + dir * params.amount).r;
  let blue = bilinear(input, p - dir * params.amount).b;
  textureStore(output, id.xy, vec4f(red, here.g, blue, here.a));
}
