// Invert: rgb → 1 − rgb; alpha is kept.

struct Params {
  unused: vec4f,
}

@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let c = textureLoad(input, id.xy, 0);
  textureStore(output, id.xy, vec4f(1.0 - c.rgb, c.a));
}
