// Colour adjust, in this order: gain (exposure × white balance), contrast around mid-grey,
// a 3×3 colour matrix (hue rotation × saturation, built on the CPU), clamp, then gamma.

struct Params {
  gain: vec4f,      // xyz: per-channel multiplier
  row0: vec4f,      // xyz: first row of the colour matrix
  row1: vec4f,
  row2: vec4f,
  contrast: f32,    // slope around 0.5
  invGamma: f32,    // exponent applied last
  _pad: vec2f,
}

@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let src = textureLoad(input, id.xy, 0);
  var c = src.rgb * params.gain.xyz;
  c = (c - 0.5) * params.contrast + 0.5;
  c = vec3f(dot(params.row0.xyz, c), dot(params.row1.xyz, c), dot(params.row2.xyz, c));
  c = clamp(c, vec3f(0.0), vec3f(1.0));
  // pow(0, y) is undefined in WGSL; black stays black.
  c = select(pow(c, vec3f(params.invGamma)), vec3f(0.0), c <= vec3f(0.0));
  textureStore(output, id.xy, vec4f(c, src.a));
}
