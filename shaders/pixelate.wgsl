// Pixelate: one invocation per block averages the block (clipped at the image edge) and writes
// the average to every pixel of it. Sums are exact integers of 8-bit values (≤ 128² × 255 < 2³²).

struct Params {
  block: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(output);
  let origin = id.xy * params.block;
  if (origin.x >= size.x || origin.y >= size.y) { return; }
  let end = min(origin + vec2u(params.block), size);
  var sum = vec4u(0u);
  for (var y = origin.y; y < end.y; y++) {
    for (var x = origin.x; x < end.x; x++) {
      sum += vec4u(floor(textureLoad(input, vec2u(x, y), 0) * 255.0 + 0.5));
    }
  }
  let count = f32((end.x - origin.x) * (end.y - origin.y));
  let avg = vec4f(sum) / count / 255.0;
  for (var y = origin.y; y < end.y; y++) {
    for (var x = origin.x; x < end.x; x++) {
      textureStore(output, vec2u(x, y), avg);
    }
  }
}
