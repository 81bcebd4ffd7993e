import code from '../../../shaders/lut-3d.wgsl?raw';
import { ComputeKernel } from '../../gpu/compute-kernel';
import { encodeCopy } from '../../gpu/single-pass-stage';
import { UniformBlock } from '../../gpu/uniforms';
import { defineEffect } from '../effect';
import { mapRgb } from '../image';
import { sampleLut } from '../lut/lut';
import type { LutRef } from '../params';

const params = {
  lut: { kind: 'lut', label: 'LUT (.cube)' },
  intensity: {
    kind: 'number',
    label: 'Intensity',
    min: 0,
    max: 100,
    step: 1,
    default: 100,
    unit: '%',
  },
} as const;

type Params = { lut: LutRef | null; intensity: number };

export const lut3d = defineEffect({
  id: 'lut-3d',
  name: '3D LUT',
  description: 'Colour grade from a .cube file, with trilinear interpolation.',
  category: 'colour',
  params,
  tolerance: 1,
  cpu: (src, p: Params, _frame, env) => {
    const lut = p.lut ? env.lut(p.lut.id) : undefined;
    if (!lut) return { ...src, data: src.data.slice() };
    const k = p.intensity / 100;
    const graded = new Float64Array(3);
    const rgb = [0, 0, 0];
    return mapRgb(src, (r, g, b, out) => {
      rgb[0] = r;
      rgb[1] = g;
      rgb[2] = b;
      sampleLut(lut, rgb, graded);
      for (let c = 0; c < 3; c++) out[c] = rgb[c] + (graded[c] - rgb[c]) * k;
    });
  },
  createGpuStage: (gpu, env) => {
    const kernel = new ComputeKernel(gpu.device, {
      label: 'Triad.lut3d',
      code,
      inputs: 1,
      storageBuffers: 1,
    });
    const uniforms = new UniformBlock(gpu, 'Triad.lut3d.uniforms', 12);
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
