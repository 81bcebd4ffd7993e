// The guarded rows of a texture as a kernel sees them (src/gpu/texture-guard.ts): output row r
// is input row y0, y1 or y2 from column x. Chromium's GL backend has sampled a texture as
// (0,0,0,1) while a copy of it read right: the guard checks what the chain's kernels would load.

struct Params {
  x: u32,
  y0: u32,
  y1: u32,
  y2: u32,
}

@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  var y = params.y0;
  if (id.y == 1u) {
    y = params.y1;
  } else if (id.y == 2u) {
    y = params.y2;
  }
  textureStore(output, id.xy, textureLoad(input, vec2u(params.x + id.x, y), 0));
}
