import type { StageSpec } from '../../effects/chain';
import type { FrameInfo } from '../../gpu/stage';
import type { FrameRun } from '../frame-run';
import type { RunnerContext } from './context';

/**
 * Runs a pixel stage's CPU kernel on the worker pool (row bands), the frame read back once for
 * consecutive CPU stages. Resolves false when the CPU failed it (a worker crashed or hung twice,
 * the pool shut down): the placer is told, and the caller runs the stage on the GPU instead so
 * the frame is not lost.
 */
export async function runCpuStage(
  ctx: RunnerContext,
  run: FrameRun,
  spec: StageSpec,
  index: number,
  frame: FrameInfo,
): Promise<boolean> {
  const image = await run.toCpu();
  try {
    const out = await ctx.devices.run('cpu', async () => {
      const t0 = ctx.now();
      const out = await ctx.cpu!.runEffect(spec.effect, image, spec.params, frame, ctx.env);
      const endedAt = ctx.now();
      run.measurement.cpu.push({ index, ms: endedAt - t0, endedAt });
      return out;
    });
    run.pixels = { on: 'cpu', image: out };
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.placer.failed('cpu', reason);
    ctx.onStageFailure?.(spec, 'cpu', reason, false);
    run.pixels = { on: 'cpu', image };
    return false;
  }
}
