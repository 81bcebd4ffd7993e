// Fills the output with one colour (backgrounds for the AI composites).
override WG_X: u32 = 8;
override WG_Y: u32 = 8;

struct Params {
  colour: vec4f,
}

@group(0) @binding(0) var output: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(output);
  if (id.x >= size.x || id.y >= size.y) { return; }
  textureStore(output, id.xy, params.colour);
}
