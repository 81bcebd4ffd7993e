// Tilt-shift, final step: blends the frame, its blur at half the radius and its whole blur by a
// pixel's distance from the focus band's centre line (a smoothstep across the transition): in the
// band sharp, then half blurred, then fully. Alpha is kept.

struct Params {
  centre: vec2f,
  normal: vec2f, // per pixel, in heights of the frame
  lo: f32,
  hi: f32,
  top: f32, // the first row's place in the full frame (0 on the GPU: it has the whole frame)
  _pad: f32,
}

@group(0) @binding(2) var sharp: texture_2d<f32>;
@group(0) @binding(3) var half: texture_2d<f32>;
@group(0) @binding(4) var full: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let p = vec2f(id.xy) + vec2f(0.5, 0.5 + params.top);
  let d = abs(dot(p - params.centre, params.normal));
  let m = 2.0 * smoothstep(params.lo, params.hi, d);
  let s = textureLoad(sharp, id.xy, 0);
  let h = textureLoad(half, id.xy, 0).rgb;
  let f = textureLoad(full, id.xy, 0).rgb;
  let rgb = select(mix(h, f, m - 1.0), mix(s.rgb, h, m), m <= 1.0);
  textureStore(output, id.xy, vec4f(rgb, s.a));
}
