import type { KernelSpec } from '../../gpu/compute-kernel';
import { singlePassStage } from '../../gpu/single-pass-stage';
import type { GpuContext } from '../../gpu/device';
import type { GpuStage } from '../../gpu/stage';
import type { EffectEnv } from '../effect';

/**
 * An effect's GPU side: its WGSL kernels and the factory of its stage. It lives apart from the
 * effect's definition (src/effects/defs/), which holds the parameters and the CPU kernel, so the
 * CPU worker bundles no GPU code and no WGSL.
 */
export interface GpuEffect<P = Record<string, unknown>> {
  /** The id of the effect definition it implements. */
  effect: string;
  /** The kernels its stage runs (their uniform sizes are checked against their WGSL). */
  kernels: readonly KernelSpec[];
  create(gpu: GpuContext, env: EffectEnv): GpuStage<P>;
}

/** Erases the parameter type so every effect's GPU side fits in one registry. */
export function gpuEffect<P>(def: GpuEffect<P>): GpuEffect {
  return def as unknown as GpuEffect;
}

/** The common case: one single-input kernel whose uniforms `write` fills from the parameters. */
export function singlePassEffect<P>(
  effect: string,
  kernel: KernelSpec,
  write: Parameters<typeof singlePassStage<P>>[2],
): GpuEffect {
  return gpuEffect({
    effect,
    kernels: [kernel],
    create: (gpu) => singlePassStage<P>(gpu, kernel, write),
  });
}
