import code from '../../../shaders/gaussian-blur.wgsl?raw';
import { ComputeKernel, type KernelSpec } from '../../gpu/compute-kernel';
import type { GpuContext } from '../../gpu/device';
import type { TextureLender } from '../../gpu/texture-pool';
import { UniformBlock } from '../../gpu/uniforms';
import { gaussianWeights } from '../defs/blur';

/** One pass of the separable blur. Params: radius, axis, 2 pad words, 17 vec4 of weights. */
export const BLUR_KERNEL: KernelSpec = {
  label: 'Triad.gaussianBlur',
  code,
  inputs: 1,
  uniformWords: 72,
};

/** The two GPU passes of a separable blur, each with its own uniform block. */
export class BlurPasses {
  readonly #kernel: ComputeKernel;
  readonly #horizontal: UniformBlock;
  readonly #vertical: UniformBlock;

  constructor(gpu: GpuContext, label: string) {
    this.#kernel = new ComputeKernel(gpu.device, BLUR_KERNEL);
    this.#horizontal = new UniformBlock(
      gpu,
      `${label}.horizontal.uniforms`,
      BLUR_KERNEL.uniformWords,
    );
    this.#vertical = new UniformBlock(gpu, `${label}.vertical.uniforms`, BLUR_KERNEL.uniformWords);
  }

  /** Blurs `input` into `output` (radius ≥ 1) through a pooled intermediate texture. */
  encode(
    encoder: GPUCommandEncoder,
    input: GPUTexture,
    output: GPUTexture,
    radius: number,
    pool: TextureLender,
  ): void {
    const weights = Array.from(gaussianWeights(radius));
    const h = this.#horizontal
      .begin()
      .u32(radius, 0, 0, 0)
      .f32(...weights)
      .upload();
    const v = this.#vertical
      .begin()
      .u32(radius, 1, 0, 0)
      .f32(...weights)
      .upload();
    const temp = pool.acquire(input.width, input.height);
    this.#kernel.dispatch(encoder, { output: temp, inputs: [input], uniforms: h });
    this.#kernel.dispatch(encoder, { output, inputs: [temp], uniforms: v });
    pool.release(temp);
  }

  destroy(): void {
    this.#horizontal.destroy();
    this.#vertical.destroy();
  }
}
