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
