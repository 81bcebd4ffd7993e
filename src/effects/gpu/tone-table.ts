import applyCode from '../../../shaders/channel-table.wgsl?raw';
import { ComputeKernel, type KernelSpec } from '../../gpu/compute-kernel';
import { UniformBlock } from '../../gpu/uniforms';
import { gpuEffect, type GpuEffect } from './gpu-effect';

const APPLY: KernelSpec = {
  label: 'Triad.channelTable',
  code: applyCode,
  inputs: 2,
  uniformWords: 4,
};

/**
 * A per-channel tone map (Levels, Curves) in two passes: `table` evaluates the map for the 256
 * input levels into a 256 × 1 texture, then every pixel is looked up in it. Frames are 8-bit, so
 * the lookup is the map itself; evaluating Curves' splines per pixel cost 7.8× as much on
 * lavapipe (109.7 vs 14.0 ms at 1080p, docs/BENCHMARKS.md).
 */
export function toneTableEffect<P>(
  effect: string,
  table: KernelSpec,
  write: (uniforms: UniformBlock, params: P) => void,
): GpuEffect {
  return gpuEffect({
    effect,
    kernels: [table, APPLY],
    create: (gpu) => {
      const tableKernel = new ComputeKernel(gpu.device, table);
      const apply = new ComputeKernel(gpu.device, APPLY);
      const uniforms = new UniformBlock(gpu, `${table.label}.uniforms`, table.uniformWords);
      const none = new UniformBlock(gpu, `${table.label}.none`, APPLY.uniformWords);
      return {
        encode(io, p: P) {
          write(uniforms.begin(), p);
          const levels = io.pool.acquire(256, 1);
          tableKernel.dispatch(io.encoder, {
            output: levels,
            inputs: [],
            uniforms: uniforms.upload(),
          });
          apply.dispatch(io.encoder, {
            output: io.output,
            inputs: [io.input, levels],
            uniforms: none.begin().upload(),
          });
          io.pool.release(levels);
        },
        destroy() {
          uniforms.destroy();
          none.destroy();
        },
      };
    },
  });
}
