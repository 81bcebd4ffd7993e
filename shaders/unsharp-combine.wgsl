// Unsharp mask, final step: out = original + amount × (original − blurred), per channel, only
// where the difference is at least `threshold` (in 8-bit levels). Alpha is kept.

struct Params {
  amount: f32,
  threshold: f32,
  _pad: vec2f,
}

@group(0) @binding(2) var original: texture_2d<f32>;
@group(0) @binding(3) var blurred: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let o = textureLoad(original, id.xy, 0);
  let b = textureLoad(blurred, id.xy, 0);
  let d = o.rgb - b.rgb;
  let levels = floor(abs(d) * 255.0 + 0.5);
  let sharpened = o.rgb + params.amount * d;
  textureStore(output, id.xy, vec4f(select(o.rgb, sharpened, levels >= vec3f(params.threshold)), o.a));
}
