import fillCode from '../../shaders/fill.wgsl?raw';
import fromTensorCode from '../../shaders/from-tensor.wgsl?raw';
import letterboxCode from '../../shaders/letterbox.wgsl?raw';
import maskCompositeCode from '../../shaders/mask-composite.wgsl?raw';
import toTensorCode from '../../shaders/to-tensor.wgsl?raw';
import { ComputeKernel, type KernelSpec } from '../gpu/compute-kernel';
import type { GpuContext } from '../gpu/device';
import { UniformBlock } from '../gpu/uniforms';
import { letterboxRect, type TensorSpec } from './tensor';

/** Letterbox: content rect (4), scale (2) + 2 pad, pad colour (4). */
export const LETTERBOX_KERNEL: KernelSpec = {
  label: 'Triad.letterbox',
  code: letterboxCode,
  inputs: 1,
  uniformWords: 12,
};
/** A tensor (binding 2, storage) back to pixels. */
export const FROM_TENSOR_KERNEL: KernelSpec = {
  label: 'Triad.fromTensor',
  code: fromTensorCode,
  inputs: 0,
  storageBuffers: 1,
  uniformWords: 12,
};
/** Frame and background (inputs), the mask (binding 4, storage). */
export const MASK_COMPOSITE_KERNEL: KernelSpec = {
  label: 'Triad.maskComposite',
  code: maskCompositeCode,
  inputs: 2,
  storageBuffers: 1,
  uniformWords: 4,
};
export const FILL_KERNEL: KernelSpec = {
  label: 'Triad.fill',
  code: fillCode,
  inputs: 0,
  uniformWords: 4,
};

/** GPU twin of `letterbox`. */
export class GpuLetterbox {
  readonly #kernel: ComputeKernel;
  readonly #uniforms: UniformBlock;

  constructor(gpu: GpuContext) {
    this.#kernel = new ComputeKernel(gpu.device, LETTERBOX_KERNEL);
    this.#uniforms = new UniformBlock(
      gpu,
      'Triad.letterbox.uniforms',
      LETTERBOX_KERNEL.uniformWords,
    );
  }

  encode(
    encoder: GPUCommandEncoder,
    input: GPUTexture,
    output: GPUTexture,
    pad: [number, number, number],
  ): void {
    const r = letterboxRect(input.width, input.height, output.width, output.height);
    const uniforms = this.#uniforms
      .begin()
      .f32(r.x, r.y, r.width, r.height)
      .f32(input.width / r.width, input.height / r.height, 0, 0)
      .f32(pad[0] / 255, pad[1] / 255, pad[2] / 255, 1)
      .upload();
    this.#kernel.dispatch(encoder, { output, inputs: [input], uniforms });
  }

  destroy(): void {
    this.#uniforms.destroy();
  }
}

const compiledToTensor = new WeakMap<
  GPUDevice,
  { layout: GPUBindGroupLayout; pipeline: GPUComputePipeline }
>();

/**
 * GPU twin of `imageToTensor`: writes a float32 tensor into a storage buffer (for an ML runtime
 * that takes GPU buffers). Its output is a buffer, not a texture, so it has its own layout.
 */
export class GpuToTensor {
  readonly #device: GPUDevice;
  readonly #uniforms: UniformBlock;
  readonly #compiled: { layout: GPUBindGroupLayout; pipeline: GPUComputePipeline };

  constructor(gpu: GpuContext) {
    this.#device = gpu.device;
    this.#uniforms = new UniformBlock(gpu, 'Triad.toTensor.uniforms', 12);
    let compiled = compiledToTensor.get(gpu.device);
    if (!compiled) {
      const layout = gpu.device.createBindGroupLayout({
        label: 'Triad.toTensor.bindGroupLayout',
        entries: [
          { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
          { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
          {
            binding: 2,
            visibility: GPUShaderStage.COMPUTE,
            texture: { sampleType: 'unfilterable-float' },
          },
        ],
      });
      const pipeline = gpu.device.createComputePipeline({
        label: 'Triad.toTensor.pipeline',
        layout: gpu.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: {
          module: gpu.device.createShaderModule({
            label: 'Triad.toTensor.module',
            code: toTensorCode,
          }),
          entryPoint: 'main',
          constants: { WG_X: 8, WG_Y: 8 },
        },
      });
      compiledToTensor.set(gpu.device, (compiled = { layout, pipeline }));
    }
    this.#compiled = compiled;
  }

  /** `tensor` must hold 3 × width × height float32 values and have STORAGE usage. */
  encode(encoder: GPUCommandEncoder, input: GPUTexture, tensor: GPUBuffer, spec: TensorSpec): void {
    const uniforms = this.#uniforms
      .begin()
      .u32(spec.layout === 'nchw' ? 0 : 1, 0, 0, 0)
      .f32(...spec.mean, 0)
      .f32(...spec.std.map((s) => 1 / s), 0)
      .upload();
    const bindGroup = this.#device.createBindGroup({
      label: 'Triad.toTensor.bindGroup',
      layout: this.#compiled.layout,
      entries: [
        { binding: 0, resource: { buffer: tensor } },
        { binding: 1, resource: { buffer: uniforms } },
        { binding: 2, resource: input.createView() },
      ],
    });
    const pass = encoder.beginComputePass({ label: 'Triad.toTensor.pass' });
    pass.setPipeline(this.#compiled.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(input.width / 8), Math.ceil(input.height / 8));
    pass.end();
  }

  destroy(): void {
    this.#uniforms.destroy();
  }
}

/** GPU twin of `tensorToImage`. */
export class GpuFromTensor {
  readonly #kernel: ComputeKernel;
  readonly #uniforms: UniformBlock;

  constructor(gpu: GpuContext) {
    this.#kernel = new ComputeKernel(gpu.device, FROM_TENSOR_KERNEL);
    this.#uniforms = new UniformBlock(
      gpu,
      'Triad.fromTensor.uniforms',
      FROM_TENSOR_KERNEL.uniformWords,
    );
  }

  encode(
    encoder: GPUCommandEncoder,
    tensor: GPUBuffer,
    output: GPUTexture,
    spec: TensorSpec,
  ): void {
    const uniforms = this.#uniforms
      .begin()
      .u32(spec.layout === 'nchw' ? 0 : 1, 0, 0, 0)
      .f32(...spec.mean, 0)
      .f32(...spec.std, 0)
      .upload();
    this.#kernel.dispatch(encoder, { output, inputs: [], uniforms, buffers: [tensor] });
  }

  destroy(): void {
    this.#uniforms.destroy();
  }
}

/** GPU twin of `compositeWithMask`; the mask is a float32 buffer of maskWidth × maskHeight. */
export class GpuMaskComposite {
  readonly #kernel: ComputeKernel;
  readonly #uniforms: UniformBlock;

  constructor(gpu: GpuContext) {
    this.#kernel = new ComputeKernel(gpu.device, MASK_COMPOSITE_KERNEL);
    this.#uniforms = new UniformBlock(
      gpu,
      'Triad.maskComposite.uniforms',
      MASK_COMPOSITE_KERNEL.uniformWords,
    );
  }

  encode(
    encoder: GPUCommandEncoder,
    foreground: GPUTexture,
    background: GPUTexture,
    mask: { buffer: GPUBuffer; width: number; height: number },
    output: GPUTexture,
  ): void {
    const uniforms = this.#uniforms
      .begin()
      .u32(mask.width, mask.height)
      .f32(mask.width / output.width, mask.height / output.height)
      .upload();
    this.#kernel.dispatch(encoder, {
      output,
      inputs: [foreground, background],
      uniforms,
      buffers: [mask.buffer],
    });
  }

  destroy(): void {
    this.#uniforms.destroy();
  }
}

/** GPU twin of `fillImage`: the output becomes one colour (bytes, alpha included). */
export class GpuFill {
  readonly #kernel: ComputeKernel;
  readonly #uniforms: UniformBlock;

  constructor(gpu: GpuContext) {
    this.#kernel = new ComputeKernel(gpu.device, FILL_KERNEL);
    this.#uniforms = new UniformBlock(gpu, 'Triad.fill.uniforms', FILL_KERNEL.uniformWords);
  }

  encode(encoder: GPUCommandEncoder, output: GPUTexture, rgba: readonly number[]): void {
    const uniforms = this.#uniforms
      .begin()
      .f32(...rgba.map((v) => v / 255))
      .upload();
    this.#kernel.dispatch(encoder, { output, inputs: [], uniforms });
  }

  destroy(): void {
    this.#uniforms.destroy();
  }
}
