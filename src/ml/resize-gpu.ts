import areaCode from '../../shaders/resize-area.wgsl?raw';
import bilinearCode from '../../shaders/resize-bilinear.wgsl?raw';
import { ComputeKernel } from '../gpu/compute-kernel';
import type { GpuContext } from '../gpu/device';
import { UniformBlock } from '../gpu/uniforms';

export type ResizeFilter = 'area' | 'bilinear';

/** GPU resize of one texture into another of any size: the twin of `resizeArea`/`resizeBilinear`. */
export class GpuResize {
  readonly #kernel: ComputeKernel;
  readonly #uniforms: UniformBlock;

  constructor(gpu: GpuContext, filter: ResizeFilter) {
    const code = filter === 'area' ? areaCode : bilinearCode;
    this.#kernel = new ComputeKernel(gpu.device, {
      label: `Triad.resize.${filter}`,
      code,
      inputs: 1,
    });
    this.#uniforms = new UniformBlock(gpu, `Triad.resize.${filter}.uniforms`, 4);
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
