// Sobel edges on Rec. 709 luma (3×3, edges clamped). Magnitude / 4 maps a full black-to-white
// step to 1; `strength` scales it, `invert` draws dark lines on white.

struct Params {
  strength: f32,
  invert: f32,      // 0 or 1
  _pad: vec2f,
}

@group(0) @binding(2) var input: texture_2d<f32>;

fn luma(p: vec2i, size: vec2i) -> f32 {
  let q = clamp(p, vec2i(0), size - 1);
  return dot(textureLoad(input, q, 0).rgb, vec3f(0.2126, 0.7152, 0.0722));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = vec2i(textureDimensions(output));
  let p = vec2i(id.xy);
  if (outside(id)) { return; }
  let tl = luma(p + vec2i(-1, -1), size);
  let t = luma(p + vec2i(0, -1), size);
  let tr = luma(p + vec2i(1, -1), size);
  let l = luma(p + vec2i(-1, 0), size);
  let r = luma(p + vec2i(1, 0), size);
  let bl = luma(p + vec2i(-1, 1), size);
  let b = luma(p + vec2i(0, 1), size);
  let br = luma(p + vec2i(1, 1), size);
  let gx = (tr + 2.0 * r + br) - (tl + 2.0 * l + bl);
  let gy = (bl + 2.0 * b + br) - (tl + 2.0 * t + tr);
  var e = clamp(sqrt(gx * gx + gy * gy) * 0.25 * params.strength, 0.0, 1.0);
  e = mix(e, 1.0 - e, params.invert);
  textureStore(output, id.xy, vec4f(vec3f(e), textureLoad(input, p, 0).a));
}
