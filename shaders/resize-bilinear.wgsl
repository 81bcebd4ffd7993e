// Bilinear resize with half-pixel centres (align_corners = false), edges clamped. Taps are done
// by hand with textureLoad so the CPU twin (src/ml/resize.ts) matches exactly.

struct Params {
  scale: vec2f,   // input pixels per output pixel, per axis
  _pad0: f32,
  _pad1: f32,
}

@group(0) @binding(2) var input: texture_2d<f32>;

fn texel(p: vec2i) -> vec4f {
  let size = vec2i(textureDimensions(input));
  return textureLoad(input, clamp(p, vec2i(0), size - 1), 0);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(output);
  if (outside(id)) { return; }
  let f = (vec2f(id.xy) + 0.5) * params.scale - 0.5;
  let base = floor(f);
  let t = f - base;
  let p = vec2i(base);
  let top = mix(texel(p), texel(p + vec2i(1, 0)), t.x);
  let bottom = mix(texel(p + vec2i(0, 1)), texel(p + vec2i(1, 1)), t.x);
  textureStore(output, id.xy, mix(top, bottom, t.y));
}
