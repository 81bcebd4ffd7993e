import code from '../../../shaders/lut-3d.wgsl?raw';
import { ComputeKernel, type KernelSpec } from '../../gpu/compute-kernel';
import { encodeCopy } from '../../gpu/single-pass-stage';
import { UniformBlock } from '../../gpu/uniforms';
import type { Params } from '../defs/lut-3d';
import { gpuEffect } from './gpu-effect';

/** Samples a packed 3D LUT (binding 3: the table, a storage buffer). */
const KERNEL: KernelSpec = {
  label: 'Triad.lut3d',
  code,
  inputs: 1,
  storageBuffers: 1,
  uniformWords: 12,
};

export const lut3dGpu = gpuEffect({
  effect: 'lut-3d',
  kernels: [KERNEL],
  create: (gpu, env) => {
    const kernel = new ComputeKernel(gpu.device, KERNEL);
    const uniforms = new UniformBlock(gpu, 'Triad.lut3d.uniforms', KERNEL.uniformWords);
    let table: { id: string; buffer: GPUBuffer } | null = null;
    const dropTable = () => {
      if (table) gpu.destroy(table.buffer);
      table = null;
    };
    return {
      encode(io, p: Params) {
        const lut = p.lut ? env.lut(p.lut.id) : undefined;
        if (!lut) {
          dropTable();
          encodeCopy(io);
          return;
        }
        if (table?.id !== lut.id) {
          dropTable();
          const buffer = gpu.createBuffer({
            label: `Triad.lut3d.table.${lut.id}`,
            size: lut.packed.byteLength,
            usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
          });
          gpu.device.queue.writeBuffer(buffer, 0, lut.packed);
          table = { id: lut.id, buffer };
        }
        const scale = lut.domainMax.map((max, c) => 1 / (max - lut.domainMin[c]));
        uniforms
          .begin()
          .u32(lut.size)
          .f32(p.intensity / 100, 0, 0)
          .f32(...lut.domainMin, 0)
          .f32(...scale, 0);
        kernel.dispatch(io.encoder, {
          output: io.output,
          inputs: [io.input],
          uniforms: uniforms.upload(),
          buffers: [table.buffer],
        });
      },
      destroy() {
        dropTable();
        uniforms.destroy();
      },
    };
  },
});
