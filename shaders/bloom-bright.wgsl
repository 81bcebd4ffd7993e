// Bloom, first step: the bright parts of the frame (each pixel weighted by how far its luma is
// above the threshold, 0 at it and 1 from `knee` above it), averaged over 2×2 pixels into a
// texture half the size (edges clamped).

struct Params {
  threshold: f32,
  knee: f32,
  _pad: vec2f,
}

@group(0) @binding(2) var input: texture_2d<f32>;

fn bright(p: vec2i) -> vec3f {
  let size = vec2i(textureDimensions(input));
  let c = textureLoad(input, min(p, size - 1), 0).rgb;
  let luma = dot(c, vec3f(0.2126, 0.7152, 0.0722));
  return c * clamp((luma - params.threshold) / params.knee, 0.0, 1.0);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let p = vec2i(id.xy) * 2;
  let sum = bright(p) + bright(p + vec2i(1, 0)) + bright(p + vec2i(0, 1)) + bright(p + vec2i(1, 1));
  textureStore(output, id.xy, vec4f(sum * 0.25, 1.0));
}
