// Fills the output with one colour (backgrounds for the AI composites).

struct Params {
  colour: vec4f,
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  textureStore(output, id.xy, params.colour);
}
