// Bloom, up the pyramid: a level's pixel averaged with the level below it sampled bilinearly at
// the same place, so each level weighs half as much as the one above it.

struct Params {
  _pad: vec4f,
}

@group(0) @binding(2) var level: texture_2d<f32>;
@group(0) @binding(3) var below: texture_2d<f32>;

fn load(p: vec2i) -> vec3f {
  let size = vec2i(textureDimensions(below));
  return textureLoad(below, clamp(p, vec2i(0), size - 1), 0).rgb;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let s = (vec2f(id.xy) + 0.5) * vec2f(textureDimensions(below)) / vec2f(textureDimensions(output));
  let f = s - 0.5;
  let p0 = floor(f);
  let t = f - p0;
  let i = vec2i(p0);
  let top = mix(load(i), load(i + vec2i(1, 0)), t.x);
  let bottom = mix(load(i + vec2i(0, 1)), load(i + vec2i(1, 1)), t.x);
  let up = mix(top, bottom, t.y);
  textureStore(output, id.xy, vec4f((textureLoad(level, id.xy, 0).rgb + up) * 0.5, 1.0));
}
