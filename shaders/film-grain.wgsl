// Film grain: triangular noise in [-1, 1] per grain cell (size × size pixels), from an integer
// hash of (cell, seed, frame, channel), so a given seed and frame index always give the same grain.

struct Params {
  strength: f32,    // noise amplitude in [0, 1] units
  cell: u32,        // grain size in pixels
  seed: u32,
  frame: u32,
  mono: u32,        // 1: the same noise on every channel
  _pad: vec3u,
}

@group(0) @binding(2) var input: texture_2d<f32>;

// PCG hash (Jarzynski & Olano, "Hash Functions for GPU Rendering", 2020).
fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn uniform01(cell: vec2u, stream: u32) -> f32 {
  let h = pcg(cell.x + pcg(cell.y + pcg(params.seed + pcg(params.frame * 8u + stream))));
  return f32(h >> 8u) / 16777216.0;
}

fn noise(cell: vec2u, channel: u32) -> f32 {
  return uniform01(cell, channel * 2u) + uniform01(cell, channel * 2u + 1u) - 1.0;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(output);
  if (outside(id)) { return; }
  let c = textureLoad(input, id.xy, 0);
  let cell = id.xy / params.cell;
  let n0 = noise(cell, 0u);
  var n = vec3f(n0);
  if (params.mono == 0u) { n = vec3f(n0, noise(cell, 1u), noise(cell, 2u)); }
  textureStore(output, id.xy, vec4f(c.rgb + n * params.strength, c.a));
}
