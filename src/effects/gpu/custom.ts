import { ComputeKernel, type KernelSpec } from '../../gpu/compute-kernel';
import type { GpuContext } from '../../gpu/device';
import { encodeCopy } from '../../gpu/single-pass-stage';
import type { GpuStage } from '../../gpu/stage';
import { UniformBlock } from '../../gpu/uniforms';
import type { SourceProblem } from '../custom/header';
import type { CustomKernel } from '../custom/kernel';
import { writeCustomUniforms } from '../custom/uniforms';
import { registerCustomEffect, type CustomEffect } from '../custom/registry';
import type { EffectEnv } from '../effect';

type Params = Record<string, unknown>;

export interface CustomBuild {
  kernel: CustomKernel;
  spec: KernelSpec;
  /** Null when it did not build. */
  compute: ComputeKernel | null;
  /** The header's, the reflection's and the GPU compiler's, on the author's lines. */
  problems: SourceProblem[];
}

/**
 * Builds a custom effect's kernel on `device` without blocking the page or raising an uncaptured
 * error. The pipeline is cached on the device under the effect's id, so the editor's check and
 * the chain's stage build it once.
 */
export async function buildCustomKernel(device: GPUDevice, source: string): Promise<CustomBuild> {
  // The WGSL parser is loaded with the first custom effect, not with the page.
  const { AUTHOR_FIRST_LINE, readCustomKernel } = await import('../custom/kernel');
  const effect = registerCustomEffect(source);
  const kernel = readCustomKernel(source);
  const spec: KernelSpec = {
    label: `Triad.${effect.id}`,
    code: kernel.code,
    inputs: 1,
    uniformWords: kernel.uniformWords,
  };
  const problems = [...kernel.problems];
  if (problems.some((p) => p.severity === 'error'))
    return { kernel, spec, compute: null, problems };
  try {
    const { kernel: compute, messages } = await ComputeKernel.compile(device, spec);
    const authorLines = effect.source.split('\n').length;
    for (const m of messages) {
      const line = m.lineNum - AUTHOR_FIRST_LINE + 1;
      problems.push({
        // A message in the generated entry point is about how `effect` is declared or called.
        line: line >= 1 && line <= authorLines ? line : 1,
        column: line >= 1 && line <= authorLines ? m.linePos : 1,
        message: m.message,
        severity: m.type === 'error' ? 'error' : 'warning',
      });
    }
    return { kernel, spec, compute, problems };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    problems.push({ line: 1, column: 1, message, severity: 'error' });
    return { kernel, spec, compute: null, problems };
  }
}

/**
 * The GPU stage of a custom WGSL effect. It runs only code the app does not block
 * (`env.blocked`: a shader that came with a link waits until its source was seen and accepted;
 * one that took too long was stopped); its kernel
 * compiles asynchronously, and until it is ready the stage it replaces (the previous version of
 * the same chain stage) keeps drawing, so editing never blanks the picture. Without one, or when
 * the code fails, the input passes through and `unavailable()` says why.
 */
export function createCustomStage(
  gpu: GpuContext,
  env: EffectEnv,
  effect: CustomEffect,
  previous: GpuStage<Params> | null,
): GpuStage<Params> {
  let build: CustomBuild | null = null;
  let uniforms: UniformBlock | null = null;
  /** The uniform words, written by field offset, then copied into `uniforms`. */
  let words: { f32: Float32Array; u32: Uint32Array } | null = null;
  let failure: string | null = null;
  let started = false;
  let destroyed = false;
  const blocked = () => env.blocked?.(effect.id) ?? null;
  const settle = () => {
    previous?.destroy();
    previous = null;
    env.redraw?.();
  };
  const start = () => {
    started = true;
    buildCustomKernel(gpu.device, effect.source).then(
      (built) => {
        if (destroyed) return;
        const error = built.problems.find((p) => p.severity === 'error');
        if (built.compute) {
          build = built;
          uniforms = new UniformBlock(gpu, `${built.spec.label}.uniforms`, built.spec.uniformWords);
          const buffer = new ArrayBuffer(built.spec.uniformWords * 4);
          words = { f32: new Float32Array(buffer), u32: new Uint32Array(buffer) };
        } else failure = error ? `line ${error.line}: ${error.message}` : 'it did not build';
        settle();
      },
      // A build that threw (its parser's module not loading, say) is a failure the stage
      // reports: it passed its input through in silence, as if still compiling.
      (error: unknown) => {
        if (destroyed) return;
        failure = error instanceof Error ? error.message : String(error);
        settle();
      },
    );
  };
  let ran: string | null = null;
  return {
    encode(io, params) {
      ran = null;
      if (blocked()) return encodeCopy(io);
      if (!started) start();
      if (build?.compute && uniforms && words) {
        ran = effect.id;
        writeCustomUniforms(build.kernel, params, io.frame.index, words);
        uniforms.begin().u32(...words.u32);
        build.compute.dispatch(io.encoder, {
          output: io.output,
          inputs: [io.input],
          uniforms: uniforms.upload(),
        });
      } else if (previous) {
        previous.encode(io, params);
        ran = previous.ranCode?.() ?? null;
      } else encodeCopy(io);
    },
    ranCode: () => ran,
    unavailable() {
      const why = blocked();
      if (why) return why;
      // While it compiles the frame shows its input (or the previous version): not a failure.
      return failure === null || build ? null : `its code does not build (${failure})`;
    },
    destroy() {
      destroyed = true;
      previous?.destroy();
      uniforms?.destroy();
    },
  };
}
