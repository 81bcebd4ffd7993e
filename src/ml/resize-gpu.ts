import areaCode from '../../shaders/resize-area.wgsl?raw';
import bilinearCode from '../../shaders/resize-bilinear.wgsl?raw';
import { ComputeKernel, type KernelSpec } from '../gpu/compute-kernel';
import type { GpuContext } from '../gpu/device';
import { UniformBlock } from '../gpu/uniforms';

export type ResizeFilter = 'area' | 'bilinear';

/** The resize kernels by filter: the scale in x and y, 2 pad words. */
export const RESIZE_KERNELS: Record<ResizeFilter, KernelSpec> = {
  area: { label: 'Triad.resize.area', code: areaCode, inputs: 1, uniformWords: 4 },
  bilinear: { label: 'Triad.resize.bilinear', code: bilinearCode, inputs: 1, uniformWords: 4 },
};

/** GPU resize of one texture into another of any size: the twin of `resizeArea`/`resizeBilinear`. */
export class GpuResize {
  readonly #kernel: ComputeKernel;
  readonly #uniforms: UniformBlock;

  constructor(gpu: GpuContext, filter: ResizeFilter) {
    const spec = RESIZE_KERNELS[filter];
    this.#kernel = new ComputeKernel(gpu.device, spec);
    this.#uniforms = new UniformBlock(gpu, `Triad.resize.${filter}.uniforms`, spec.uniformWords);
  }

  encode(encoder: GPUCommandEncoder, input: GPUTexture, output: GPUTexture): void {
    // Scales rounded to f32 here are exactly what the CPU twin uses (Math.fround).
    const uniforms = this.#uniforms
      .begin()
      .f32(input.width / output.width, input.height / output.height)
      .upload();
    this.#kernel.dispatch(encoder, { output, inputs: [input], uniforms });
  }

  destroy(): void {
    this.#uniforms.destroy();
  }
}
