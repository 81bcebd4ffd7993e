// Letterbox: the input, resized bilinearly (half-pixel centres, edges clamped) into the content
// rectangle of the output; `pad` everywhere else.

struct Params {
  content: vec4f,   // x, y, width, height of the content rectangle, in output pixels
  scale: vec2f,     // input pixels per content pixel
  _pad0: f32,
  _pad1: f32,
  pad: vec4f,       // rgba in [0, 1]
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
  let q = vec2f(id.xy) - params.content.xy;
  if (any(q < vec2f(0.0)) || any(q >= params.content.zw)) {
    textureStore(output, id.xy, params.pad);
    return;
  }
  let f = (q + 0.5) * params.scale - 0.5;
  let base = floor(f);
  let t = f - base;
  let p = vec2i(base);
  let top = mix(texel(p), texel(p + vec2i(1, 0)), t.x);
  let bottom = mix(texel(p + vec2i(0, 1)), texel(p + vec2i(1, 1)), t.x);
  textureStore(output, id.xy, mix(top, bottom, t.y));
}
