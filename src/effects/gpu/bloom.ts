import brightCode from '../../../shaders/bloom-bright.wgsl?raw';
import compositeCode from '../../../shaders/bloom-composite.wgsl?raw';
import downCode from '../../../shaders/bloom-down.wgsl?raw';
import upCode from '../../../shaders/bloom-up.wgsl?raw';
import { ComputeKernel, type KernelSpec } from '../../gpu/compute-kernel';
import { UniformBlock } from '../../gpu/uniforms';
import { BLOOM_KNEE, bloomLevels, halfSize, type Params } from '../defs/bloom';
import { gpuEffect } from './gpu-effect';

const BRIGHT: KernelSpec = {
  label: 'Triad.bloomBright',
  code: brightCode,
  inputs: 1,
  uniformWords: 4,
};
const DOWN: KernelSpec = { label: 'Triad.bloomDown', code: downCode, inputs: 1, uniformWords: 4 };
const UP: KernelSpec = { label: 'Triad.bloomUp', code: upCode, inputs: 2, uniformWords: 4 };
const COMPOSITE: KernelSpec = {
  label: 'Triad.bloomComposite',
  code: compositeCode,
  inputs: 2,
  uniformWords: 4,
};

export const bloomGpu = gpuEffect({
  effect: 'bloom',
  kernels: [BRIGHT, DOWN, UP, COMPOSITE],
  create: (gpu) => {
    const kernels = {
      bright: new ComputeKernel(gpu.device, BRIGHT),
      down: new ComputeKernel(gpu.device, DOWN),
      up: new ComputeKernel(gpu.device, UP),
      composite: new ComputeKernel(gpu.device, COMPOSITE),
    };
    const brightUniforms = new UniformBlock(gpu, 'Triad.bloom.bright', 4);
    const composeUniforms = new UniformBlock(gpu, 'Triad.bloom.composite', 4);
    // The down and up kernels read no parameters: one (zero) block serves them all.
    const none = new UniformBlock(gpu, 'Triad.bloom.none', 4);
    return {
      encode(io, p: Params) {
        const levels = [io.pool.acquire(halfSize(io.input.width), halfSize(io.input.height))];
        kernels.bright.dispatch(io.encoder, {
          output: levels[0],
          inputs: [io.input],
          uniforms: brightUniforms
            .begin()
            .f32(p.threshold / 100, BLOOM_KNEE)
            .upload(),
        });
        const zero = none.begin().upload();
        for (let k = 1; k < bloomLevels(p.radius); k++) {
          const above = levels[k - 1];
          const next = io.pool.acquire(halfSize(above.width), halfSize(above.height));
          kernels.down.dispatch(io.encoder, { output: next, inputs: [above], uniforms: zero });
          levels.push(next);
        }
        let up = levels[levels.length - 1];
        const ups: GPUTexture[] = [];
        for (let k = levels.length - 2; k >= 0; k--) {
          const out = io.pool.acquire(levels[k].width, levels[k].height);
          kernels.up.dispatch(io.encoder, { output: out, inputs: [levels[k], up], uniforms: zero });
          ups.push(out);
          up = out;
        }
        kernels.composite.dispatch(io.encoder, {
          output: io.output,
          inputs: [io.input, up],
          uniforms: composeUniforms
            .begin()
            .f32(p.intensity / 100)
            .upload(),
        });
        for (const t of [...levels, ...ups]) io.pool.release(t);
      },
      destroy() {
        brightUniforms.destroy();
        composeUniforms.destroy();
        none.destroy();
      },
    };
  },
});
