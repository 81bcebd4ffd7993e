// Area (box) resize: each output pixel is the average of the input area it covers, with
// fractional weights at the edges. Used for downscaling (scopes' previews, ML inputs).

struct Params {
  scale: vec2f,   // input pixels per output pixel, per axis
  _pad0: f32,
  _pad1: f32,
}

@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let inSize = vec2f(textureDimensions(input));
  let start = vec2f(id.xy) * params.scale;
  let end = min(start + params.scale, inSize);
  var sum = vec4f(0.0);
  for (var y = floor(start.y); y < end.y; y += 1.0) {
    let wy = min(end.y, y + 1.0) - max(start.y, y);
    for (var x = floor(start.x); x < end.x; x += 1.0) {
      let wx = min(end.x, x + 1.0) - max(start.x, x);
      sum += textureLoad(input, vec2u(u32(x), u32(y)), 0) * (wx * wy);
    }
  }
  textureStore(output, id.xy, sum / ((end.x - start.x) * (end.y - start.y)));
}
