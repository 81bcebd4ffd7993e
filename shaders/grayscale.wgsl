// Grayscale: mixes each pixel toward its Rec. 709 luma by `amount`.

struct Params {
  amount: f32,
  _pad0: f32,
  _pad1: f32,
  _pad2: f32,
}

@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let c = textureLoad(input, id.xy, 0);
  let y = dot(c.rgb, vec3f(0.2126, 0.7152, 0.0722));
  textureStore(output, id.xy, vec4f(mix(c.rgb, vec3f(y), params.amount), c.a));
}
