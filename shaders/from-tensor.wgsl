// Float32 RGB tensor (NCHW, or NHWC when channelsLast) → opaque RGBA texture, denormalized as
// v · std + mean per channel.

struct Params {
  channelsLast: u32,  // 0: NCHW, 1: NHWC
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  mean: vec4f,   // xyz
  stdDev: vec4f, // xyz
}

@group(0) @binding(2) var<storage, read> tensor: array<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(output);
  if (outside(id)) { return; }
  let p = id.y * size.x + id.x;
  let n = size.x * size.y;
  var v: vec3f;
  if (params.channelsLast == 0u) {
    v = vec3f(tensor[p], tensor[n + p], tensor[2u * n + p]);
  } else {
    v = vec3f(tensor[3u * p], tensor[3u * p + 1u], tensor[3u * p + 2u]);
  }
  textureStore(output, id.xy, vec4f(v * params.stdDev.xyz + params.mean.xyz, 1.0));
}
