// Bloom, down the pyramid: each pixel is the average of 2×2 pixels of the level above (edges
// clamped).

struct Params {
  _pad: vec4f,
}

@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let size = vec2i(textureDimensions(input));
  let p = vec2i(id.xy) * 2;
  let sum = textureLoad(input, min(p, size - 1), 0).rgb
    + textureLoad(input, min(p + vec2i(1, 0), size - 1), 0).rgb
    + textureLoad(input, min(p + vec2i(0, 1), size - 1), 0).rgb
    + textureLoad(input, min(p + vec2i(1, 1), size - 1), 0).rgb;
  textureStore(output, id.xy, vec4f(sum * 0.25, 1.0));
}
