// Posterize: quantizes each channel to `levels` evenly spaced values.

struct Params {
  levels: f32,
  _pad0: f32,
  _pad1: f32,
  _pad2: f32,
}

@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let c = textureLoad(input, id.xy, 0);
  let steps = params.levels - 1.0;
  // floor(x + 0.5), not round(): WGSL rounds halves to even, the CPU reference rounds them up.
  textureStore(output, id.xy, vec4f(floor(c.rgb * steps + 0.5) / steps, c.a));
}
