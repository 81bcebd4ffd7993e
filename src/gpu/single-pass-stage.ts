import { ComputeKernel, type KernelSpec } from './compute-kernel';
import type { GpuContext } from './device';
import type { GpuStage, StageIO } from './stage';
import { UniformBlock } from './uniforms';

/**
 * The common case: one kernel, one input texture, one uniform block (`spec.uniformWords`) filled
 * from the stage's parameters. `write` may return the number of invocations in x and y when it
 * is not one per output pixel.
 */
export function singlePassStage<P>(
  gpu: GpuContext,
  spec: KernelSpec,
  write: (uniforms: UniformBlock, params: P, io: StageIO) => [number, number] | void,
): GpuStage<P> {
  if (spec.inputs !== 1) throw new Error(`${spec.label}: a single-pass stage has one input`);
  const kernel = new ComputeKernel(gpu.device, spec);
  const uniforms = new UniformBlock(gpu, `${spec.label}.uniforms`, spec.uniformWords);
  return {
    encode(io, params) {
      const invocations = write(uniforms.begin(), params, io) ?? undefined;
      kernel.dispatch(io.encoder, {
        output: io.output,
        inputs: [io.input],
        uniforms: uniforms.upload(),
        invocations,
      });
    },
    destroy() {
      uniforms.destroy();
    },
  };
}

/** Records a plain copy; used by stages whose parameters make them an identity (radius 0, no LUT). */
export function encodeCopy(io: StageIO): void {
  io.encoder.copyTextureToTexture({ texture: io.input }, { texture: io.output }, [
    io.input.width,
    io.input.height,
  ]);
}
