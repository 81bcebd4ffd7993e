// Bloom, last step: the frame plus `intensity` × the glow (the pyramid's top level, half the
// frame's size, sampled bilinearly). Alpha is kept.

struct Params {
  intensity: f32,
  _pad0: f32,
  _pad1: f32,
  _pad2: f32,
}

@group(0) @binding(2) var frame: texture_2d<f32>;
@group(0) @binding(3) var glow: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let s = (vec2f(id.xy) + 0.5) * vec2f(textureDimensions(glow)) / vec2f(textureDimensions(output));
  let c = textureLoad(frame, id.xy, 0);
  textureStore(output, id.xy, vec4f(c.rgb + params.intensity * bilinear(glow, s).rgb, c.a));
}
