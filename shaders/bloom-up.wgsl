// Bloom, up the pyramid: a level's pixel averaged with the level below it sampled bilinearly at
// the same place, so each level weighs half as much as the one above it.

struct Params {
  _pad: vec4f,
}

@group(0) @binding(2) var level: texture_2d<f32>;
@group(0) @binding(3) var below: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let s = (vec2f(id.xy) + 0.5) * vec2f(textureDimensions(below)) / vec2f(textureDimensions(output));
  let up = bilinear(below, s).rgb;
  textureStore(output, id.xy, vec4f((textureLoad(level, id.xy, 0).rgb + up) * 0.5, 1.0));
}
