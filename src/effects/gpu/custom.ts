import { ComputeKernel } from '../../gpu/compute-kernel';
import type { GpuContext } from '../../gpu/device';
import { encodeCopy } from '../../gpu/single-pass-stage';
import type { GpuStage } from '../../gpu/stage';
import { UniformBlock } from '../../gpu/uniforms';
import { AUTHOR_FIRST_LINE, readCustomKernel, writeCustomUniforms } from '../custom/kernel';
import type { CustomEffect } from '../custom/registry';
import type { EffectEnv } from '../effect';

type Params = Record<string, unknown>;

/**
 * The GPU stage of a custom WGSL effect. Its kernel compiles asynchronously (the page never waits
 * on a user's shader, and a failure is a message, not an uncaptured GPU error); until it is
 * ready the stage it replaces (the previous version of the same chain stage) keeps rendering, so
 * editing never blanks the picture. Without one, or when the code fails, the input passes
 * through unchanged and `unavailable()` says why.
 */
export function createCustomStage(
  gpu: GpuContext,
  env: EffectEnv,
  effect: CustomEffect,
  previous: GpuStage<Params> | null,
): GpuStage<Params> {
  const kernel = readCustomKernel(effect.source);
  const spec = {
    label: `Triad.${effect.id}`,
    code: kernel.code,
    inputs: 1,
    uniformWords: kernel.uniformWords,
  };
  const uniforms = new UniformBlock(gpu, `${spec.label}.uniforms`, spec.uniformWords);
  const words = new ArrayBuffer(Math.ceil(spec.uniformWords / 4) * 16);
  const view = { f32: new Float32Array(words), u32: new Uint32Array(words) };
  let compiled: ComputeKernel | null = null;
  let failure: string | null = null;
  let destroyed = false;
  const settle = (why: string | null) => {
    failure = why;
    previous?.destroy();
    previous = null;
    if (!destroyed) env.redraw?.();
  };
  const errors = kernel.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) settle(`line ${errors[0].line}: ${errors[0].message}`);
  else
    ComputeKernel.compile(gpu.device, spec).then(
      ({ kernel: built, messages }) => {
        compiled = built;
        const error = messages.find((m) => m.type === 'error');
        settle(error ? `line ${error.lineNum - AUTHOR_FIRST_LINE + 1}: ${error.message}` : null);
      },
      (error: unknown) => settle(error instanceof Error ? error.message : String(error)),
    );
  return {
    encode(io, params) {
      if (compiled) {
        writeCustomUniforms(kernel, params, io.frame.index, view);
        uniforms.begin().u32(...view.u32);
        compiled.dispatch(io.encoder, {
          output: io.output,
          inputs: [io.input],
          uniforms: uniforms.upload(),
        });
      } else if (previous) previous.encode(io, params);
      else encodeCopy(io);
    },
    unavailable() {
      // While it compiles the frame shows its input (or the previous version): not a failure.
      return compiled || previous || failure === null
        ? null
        : `its code does not build (${failure})`;
    },
    destroy() {
      destroyed = true;
      previous?.destroy();
      uniforms.destroy();
    },
  };
}
