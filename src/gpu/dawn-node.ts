// WebGPU in Node, without a browser: Dawn's bindings from the `webgpu` package (dawn.node). On
// machines without a GPU, Mesa's llvmpipe through EGL surfaceless and OpenGL ES (a real Vulkan
// driver is the backend where there is one). Importing this module installs the WebGPU globals
// (GPUBufferUsage, GPUTextureUsage, …) the app's modules use, so import it before them.
process.env.EGL_PLATFORM ??= 'surfaceless';
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);

export type DawnBackend = 'opengles' | 'vulkan';

/** One Dawn instance a backend, for the life of the process (see `dawnGpu`). */
const instances = new Map<DawnBackend, GPU>();

/**
 * The process's WebGPU entry point for a backend, for `GpuContext.create({ gpu })`: the same Dawn
 * instance at every call, never let go. A Dawn instance the garbage collector frees while work of
 * its devices is still pending (a device lost or destroyed with readbacks in flight) is used after
 * it is freed: the process aborts ("std::system_error: Invalid argument", a mutex assertion),
 * crashes, or blocks for good in its event processing, where no test timeout can fire (CI hung
 * on `src/cli/apply.test.ts`, which replaces a lost device). Held, it keeps nothing alive: Node
 * exits when the rest of its work is done.
 */
export function dawnGpu(backend: DawnBackend = 'opengles'): GPU {
  let gpu = instances.get(backend);
  if (!gpu) instances.set(backend, (gpu = create([`backend=${backend}`])));
  return gpu;
}
