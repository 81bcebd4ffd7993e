// The prelude of every compute kernel that src/gpu/compute-kernel.ts owns: it is prepended to
// the kernel's own code, which declares `struct Params` (its uniforms), its inputs from binding 2
// and `main`. Workgroup sizes are override constants the kernel owner fills in.
override WG_X: u32 = 8;
override WG_Y: u32 = 8;

@group(0) @binding(0) var output: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(1) var<uniform> params: Params;

/** Whether an invocation lies outside the output (the dispatch rounds up to whole workgroups). */
fn outside(id: vec3u) -> bool {
  let size = textureDimensions(output);
  return id.x >= size.x || id.y >= size.y;
}

/**
 * `t` sampled bilinearly at `at`, in its pixels (pixel centres at +0.5), edges clamped: the same
 * arithmetic as the CPU twins' (a sampler's filtering is not specified to the last bit).
 */
fn bilinear(t: texture_2d<f32>, at: vec2f) -> vec4f {
  let last = vec2i(textureDimensions(t)) - 1;
  let f = at - 0.5;
  let p0 = floor(f);
  let w = f - p0;
  let i = vec2i(p0);
  let top = mix(
    textureLoad(t, clamp(i, vec2i(0), last), 0),
    textureLoad(t, clamp(i + vec2i(1, 0), vec2i(0), last), 0),
    w.x,
  );
  let bottom = mix(
    textureLoad(t, clamp(i + vec2i(0, 1), vec2i(0), last), 0),
    textureLoad(t, clamp(i + vec2i(1, 1), vec2i(0), last), 0),
    w.x,
  );
  return mix(top, bottom, w.y);
}
