// Each colour channel looked up in a 256 × 1 table (x = the input level; r, g, b = each
// channel's output), alpha kept: a per-channel tone map computed once per frame (curves-table.wgsl)
// applied at the cost of three loads a pixel.

struct Params {
  _pad0: f32,
  _pad1: f32,
  _pad2: f32,
  _pad3: f32,
}

@group(0) @binding(2) var frame: texture_2d<f32>;
@group(0) @binding(3) var table: texture_2d<f32>;

fn level(v: f32) -> vec2u {
  return vec2u(u32(floor(v * 255.0 + 0.5)), 0u);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let c = textureLoad(frame, id.xy, 0);
  let rgb = vec3f(
    textureLoad(table, level(c.r), 0).r,
    textureLoad(table, level(c.g), 0).g,
    textureLoad(table, level(c.b), 0).b,
  );
  textureStore(output, id.xy, vec4f(rgb, c.a));
}
