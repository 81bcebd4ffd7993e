import type { StageSpec } from '../../effects/chain';
import type { FrameInfo } from '../../gpu/stage';
import type { TexturePool } from '../../gpu/texture-pool';
import type { FrameRun } from '../frame-run';
import type { RunnerContext } from './context';

/**
 * Records a pixel stage's WGSL kernel into the frame's encoder. A clean segment starts on an
 * idle queue; a frame in CPU memory is uploaded first. Otherwise it records in the caller's task
 * and returns nothing to await: with frames in flight, another frame must not run between two
 * stages recorded into one encoder (it would write the stages' uniforms before this frame's
 * commands are submitted).
 */
export function runGpuStage(
  ctx: RunnerContext,
  run: FrameRun,
  pool: TexturePool,
  spec: StageSpec,
  index: number,
  frame: FrameInfo,
): Promise<void> | void {
  const record = (input: GPUTexture) => {
    // Stages keep the size of their input (an AI stage before may have changed it).
    const output = pool.acquire(input.width, input.height);
    ctx.gpuStage(spec).encode({ encoder: run.encoder, input, output, pool, frame }, spec.params);
    run.recorded(index);
    run.release(input);
    run.pixels = { on: 'gpu', texture: output };
  };
  if (run.clean && !run.segmentOpen) {
    if (run.dirty) run.flush(); // the source copy: not part of the segment's time
    return run
      .idle()
      .then(() => run.toGpu())
      .then(record);
  }
  const pixels = run.pixels;
  if (pixels.on === 'gpu') record(pixels.texture);
  else return run.toGpu().then(record);
}
