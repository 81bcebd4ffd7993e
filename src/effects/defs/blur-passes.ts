import code from '../../../shaders/gaussian-blur.wgsl?raw';
import { ComputeKernel } from '../../gpu/compute-kernel';
import type { GpuContext } from '../../gpu/device';
import type { TextureLender } from '../../gpu/texture-pool';
import { UniformBlock } from '../../gpu/uniforms';
import { createImage, loadClamped, toByte, type RgbaImage } from '../image';

export const MAX_BLUR_RADIUS = 64;

/**
 * Normalized Gaussian weights for offsets 0…radius (σ = radius / 3, at least 0.5), rounded to
 * f32 so that the CPU reference multiplies by exactly what the shader reads.
 */
export function gaussianWeights(radius: number): Float32Array {
  const w = new Float32Array(MAX_BLUR_RADIUS + 1);
  const sigma = Math.max(0.5, radius / 3);
  let total = 0;
  for (let i = 0; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    w[i] = v;
    total += i === 0 ? v : 2 * v;
  }
  for (let i = 0; i <= radius; i++) w[i] = w[i] / total;
  return w;
}

/** One separable pass on the CPU, rounding to 8 bits as the GPU's intermediate texture does. */
function blurPass(src: RgbaImage, radius: number, weights: Float32Array, axis: 0 | 1): RgbaImage {
  const dst = createImage(src.width, src.height);
  const [sx, sy] = axis === 0 ? [1, 0] : [0, 1];
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = loadClamped(src, x, y, c) * weights[0];
        for (let i = 1; i <= radius; i++) {
          sum +=
            (loadClamped(src, x + sx * i, y + sy * i, c) +
              loadClamped(src, x - sx * i, y - sy * i, c)) *
            weights[i];
        }
        dst.data[(y * src.width + x) * 4 + c] = toByte(sum);
      }
    }
  }
  return dst;
}

/** CPU reference of the two-pass blur (horizontal, then vertical). */
export function blurCpu(src: RgbaImage, radius: number): RgbaImage {
  if (radius === 0) return { ...src, data: src.data.slice() };
  const weights = gaussianWeights(radius);
  return blurPass(blurPass(src, radius, weights, 0), radius, weights, 1);
}

/** The two GPU passes of a separable blur, each with its own uniform block. */
export class BlurPasses {
  readonly #kernel: ComputeKernel;
  readonly #horizontal: UniformBlock;
  readonly #vertical: UniformBlock;

  constructor(gpu: GpuContext, label: string) {
    this.#kernel = new ComputeKernel(gpu.device, { label: 'Triad.gaussianBlur', code, inputs: 1 });
    // Params: radius, axis, 2 pad words, then 17 vec4 of weights = 72 words.
    this.#horizontal = new UniformBlock(gpu, `${label}.horizontal.uniforms`, 72);
    this.#vertical = new UniformBlock(gpu, `${label}.vertical.uniforms`, 72);
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
