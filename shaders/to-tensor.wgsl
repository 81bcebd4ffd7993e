// RGBA texture → float32 RGB tensor, NCHW or NHWC (channelsLast), normalized as
// (v − mean) / std per channel.
override WG_X: u32 = 8;
override WG_Y: u32 = 8;

struct Params {
  channelsLast: u32,  // 0: NCHW, 1: NHWC
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  mean: vec4f,     // xyz
  invStd: vec4f,   // xyz: 1 / std
}

@group(0) @binding(0) var<storage, read_write> tensor: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(input);
  if (id.x >= size.x || id.y >= size.y) { return; }
  let v = (textureLoad(input, id.xy, 0).rgb - params.mean.xyz) * params.invStd.xyz;
  let p = id.y * size.x + id.x;
  let n = size.x * size.y;
  if (params.channelsLast == 0u) {
    tensor[p] = v.r;
    tensor[n + p] = v.g;
    tensor[2u * n + p] = v.b;
  } else {
    tensor[3u * p] = v.r;
    tensor[3u * p + 1u] = v.g;
    tensor[3u * p + 2u] = v.b;
  }
}
