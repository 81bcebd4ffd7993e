// Levels, first step: the table of every 8-bit input level through the master map, then each
// channel's own, into a 256 × 1 texture (x = input level; r, g, b = that channel's output),
// applied by channel-table.wgsl. A map takes the input black and range to [0, 1], raises it to
// 1 / gamma and spreads it over the output black and range (src/effects/tone.ts `applyLevels` is
// the CPU twin).

struct Level {
  inBlack: f32,
  inRange: f32,
  outBlack: f32,
  outRange: f32,
  invGamma: f32,
  // an array element in a uniform block is a whole number of 16 bytes
  pad0: f32,
  pad1: f32,
  pad2: f32,
}

struct Params {
  // master, red, green, blue
  levels: array<Level, 4>,
}

fn level(l: Level, x: f32) -> f32 {
  let t = clamp((x - l.inBlack) / l.inRange, 0.0, 1.0);
  // pow(0, y) is not defined in WGSL.
  return l.outBlack + l.outRange * select(0.0, pow(t, l.invGamma), t > 0.0);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let x = level(params.levels[0], f32(id.x) / 255.0);
  let rgb = vec3f(level(params.levels[1], x), level(params.levels[2], x), level(params.levels[3], x));
  textureStore(output, id.xy, vec4f(clamp(rgb, vec3f(0.0), vec3f(1.0)), 1.0));
}
