// Denoise: a bilateral filter. Each neighbour within `radius` is weighted by its distance (a
// Gaussian of `space` px) and by how far its colour is from the pixel's (a Gaussian of `range` in
// RGB distance), so noise is smoothed and edges are kept. `range` 0 leaves the frame as it is.

struct Params {
  radius: f32,
  space: f32,
  range: f32,
  _pad: f32,
}

@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let size = vec2i(textureDimensions(input));
  let p = vec2i(id.xy);
  let centre = textureLoad(input, p, 0);
  if (params.range <= 0.0) {
    textureStore(output, id.xy, centre);
    return;
  }
  let r = i32(params.radius);
  var sum = vec3f(0.0);
  var total = 0.0;
  for (var dy = -r; dy <= r; dy++) {
    for (var dx = -r; dx <= r; dx++) {
      let n = textureLoad(input, clamp(p + vec2i(dx, dy), vec2i(0), size - 1), 0).rgb;
      let d = n - centre.rgb;
      let spatial = -f32(dx * dx + dy * dy) / (2.0 * params.space * params.space);
      let w = exp(spatial - dot(d, d) / (2.0 * params.range * params.range));
      sum += n * w;
      total += w;
    }
  }
  textureStore(output, id.xy, vec4f(sum / total, centre.a));
}
