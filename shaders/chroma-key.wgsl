// Chroma key: alpha from the distance between a pixel's chroma (Rec. 709 Cb, Cr) and the key's,
// a smoothstep from `lo` (keyed out) to `hi` (kept); the key's chroma direction is taken out of
// what stays (spill suppression, luma kept). With `matte`, the alpha is shown as grey.

struct Params {
  keyB: f32,
  keyR: f32,
  dirB: f32,
  dirR: f32,
  lo: f32,
  hi: f32,
  spill: f32,
  matte: f32,
}

@group(0) @binding(2) var input: texture_2d<f32>;

const W = vec3f(0.2126, 0.7152, 0.0722);
const KB = 1.8556;
const KR = 1.5748;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let c = textureLoad(input, id.xy, 0);
  let y = dot(c.rgb, W);
  var chroma = vec2f((c.b - y) / KB, (c.r - y) / KR);
  let alpha = smoothstep(params.lo, params.hi, length(chroma - vec2f(params.keyB, params.keyR)));
  if (params.matte > 0.5) {
    textureStore(output, id.xy, vec4f(vec3f(alpha), 1.0));
    return;
  }
  let dir = vec2f(params.dirB, params.dirR);
  chroma -= max(0.0, dot(chroma, dir)) * params.spill * dir;
  let r = y + KR * chroma.y;
  let b = y + KB * chroma.x;
  let g = (y - W.x * r - W.z * b) / W.y;
  textureStore(output, id.xy, vec4f(clamp(vec3f(r, g, b), vec3f(0.0), vec3f(1.0)), c.a * alpha));
}
