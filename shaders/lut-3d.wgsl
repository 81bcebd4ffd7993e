// 3D LUT with trilinear interpolation. The table is size³ entries, red fastest (the .cube order),
// each packed into one u32 as 10-bit unorm R | G << 10 | B << 20. Inputs are mapped from
// [domainMin, domainMax] to [0, 1] and clamped; `intensity` mixes the result with the input.

struct Params {
  size: u32,
  intensity: f32,
  _pad: vec2f,
  domainMin: vec4f,    // xyz
  domainScale: vec4f,  // xyz: 1 / (domainMax − domainMin)
}

@group(0) @binding(2) var input: texture_2d<f32>;
@group(0) @binding(3) var<storage, read> table: array<u32>;

fn entry(r: u32, g: u32, b: u32) -> vec3f {
  let v = table[r + params.size * (g + params.size * b)];
  return vec3f(f32(v & 1023u), f32((v >> 10u) & 1023u), f32((v >> 20u) & 1023u)) / 1023.0;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(output);
  if (outside(id)) { return; }
  let c = textureLoad(input, id.xy, 0);
  let n = params.size;
  let x = clamp((c.rgb - params.domainMin.xyz) * params.domainScale.xyz, vec3f(0.0), vec3f(1.0))
    * f32(n - 1u);
  let i0 = min(vec3u(floor(x)), vec3u(n - 2u));
  let f = x - vec3f(i0);
  let i1 = i0 + 1u;
  let c00 = mix(entry(i0.x, i0.y, i0.z), entry(i1.x, i0.y, i0.z), f.x);
  let c10 = mix(entry(i0.x, i1.y, i0.z), entry(i1.x, i1.y, i0.z), f.x);
  let c01 = mix(entry(i0.x, i0.y, i1.z), entry(i1.x, i0.y, i1.z), f.x);
  let c11 = mix(entry(i0.x, i1.y, i1.z), entry(i1.x, i1.y, i1.z), f.x);
  let graded = mix(mix(c00, c10, f.y), mix(c01, c11, f.y), f.z);
  textureStore(output, id.xy, vec4f(mix(c.rgb, graded, params.intensity), c.a));
}
