// out = background + (foreground − background) × mask, where the mask (a float32 buffer of
// maskSize, values in [0, 1]) is upsampled bilinearly with half-pixel centres.

struct Params {
  maskSize: vec2u,
  scale: vec2f,   // mask pixels per output pixel
}

@group(0) @binding(2) var foreground: texture_2d<f32>;
@group(0) @binding(3) var background: texture_2d<f32>;
@group(0) @binding(4) var<storage, read> mask: array<f32>;

fn m(p: vec2i) -> f32 {
  let q = clamp(p, vec2i(0), vec2i(params.maskSize) - 1);
  return mask[u32(q.y) * params.maskSize.x + u32(q.x)];
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let f = (vec2f(id.xy) + 0.5) * params.scale - 0.5;
  let base = floor(f);
  let t = f - base;
  let p = vec2i(base);
  let top = mix(m(p), m(p + vec2i(1, 0)), t.x);
  let bottom = mix(m(p + vec2i(0, 1)), m(p + vec2i(1, 1)), t.x);
  let k = clamp(mix(top, bottom, t.y), 0.0, 1.0);
  let fg = textureLoad(foreground, id.xy, 0);
  let bg = textureLoad(background, id.xy, 0);
  textureStore(output, id.xy, bg + (fg - bg) * k);
}
