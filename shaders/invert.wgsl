// Invert: rgb → 1 − rgb; alpha is kept.
override WG_X: u32 = 8;
override WG_Y: u32 = 8;

struct Params {
  unused: vec4f,
}

@group(0) @binding(0) var output: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(output);
  if (id.x >= size.x || id.y >= size.y) { return; }
  let c = textureLoad(input, id.xy, 0);
  textureStore(output, id.xy, vec4f(1.0 - c.rgb, c.a));
}
