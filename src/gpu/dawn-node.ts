// WebGPU in Node, without a browser: Dawn's bindings from the `webgpu` package (dawn.node). On
// machines without a GPU, Mesa's llvmpipe through EGL surfaceless and OpenGL ES (a real Vulkan
// driver is the backend where there is one). Importing this module installs the WebGPU globals
// (GPUBufferUsage, GPUTextureUsage, …) the app's modules use, so import it before them.
process.env.EGL_PLATFORM ??= 'surfaceless';
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);

/**
 * A WebGPU entry point for `GpuContext.create({ gpu })`. Drop every reference to it when done
 * (and destroy its devices): dawn.node keeps Node alive while its instance is referenced.
 */
export function dawnGpu(backend: 'opengles' | 'vulkan' = 'opengles'): GPU {
  return create([`backend=${backend}`]);
}
