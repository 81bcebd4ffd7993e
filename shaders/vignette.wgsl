// Vignette: darkens toward the corners. d is the distance from the centre, 0 there and 1 at the
// corners; the falloff is a smoothstep centred on `midpoint` and `feather` wide.

struct Params {
  amount: f32,
  midpoint: f32,
  feather: f32,
  _pad: f32,
}

@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(output);
  if (outside(id)) { return; }
  let c = textureLoad(input, id.xy, 0);
  let centre = vec2f(size) * 0.5;
  let d = length(vec2f(id.xy) + 0.5 - centre) / length(centre);
  let lo = params.midpoint - params.feather * 0.5;
  let t = clamp((d - lo) / params.feather, 0.0, 1.0);
  let v = t * t * (3.0 - 2.0 * t);
  textureStore(output, id.xy, vec4f(c.rgb * (1.0 - params.amount * v), c.a));
}
