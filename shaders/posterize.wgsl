// Posterize: quantizes each channel to `levels` evenly spaced values.
override WG_X: u32 = 8;
override WG_Y: u32 = 8;

struct Params {
  levels: f32,
  _pad0: f32,
  _pad1: f32,
  _pad2: f32,
}

@group(0) @binding(0) var output: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(output);
  if (id.x >= size.x || id.y >= size.y) { return; }
  let c = textureLoad(input, id.xy, 0);
  let steps = params.levels - 1.0;
  // floor(x + 0.5), not round(): WGSL rounds halves to even, the CPU reference rounds them up.
  textureStore(output, id.xy, vec4f(floor(c.rgb * steps + 0.5) / steps, c.a));
}
