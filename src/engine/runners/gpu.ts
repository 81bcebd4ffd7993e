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
 * commands are submitted). So a stage recorded after a wait is submitted at once, in the same
 * callback, where frames overlap: the caller resumes a microtask later, and where two frames'
 * waits end in one task (lavapipe completes queued work together) the other frame's stages ran
 * in that gap — writing this stage's uniforms (a frame number for grain), or, before
 * `FrameRun.release` deferred it, uploading into the texture this stage reads.
 */
export function runGpuStage(
  ctx: RunnerContext,
  run: FrameRun,
  pool: TexturePool,
  spec: StageSpec,
  index: number,
  frame: FrameInfo,
): Promise<void> | void {
  // A stage's own work textures go back once its commands are submitted, as its input does (see
  // `FrameRun.release`).
  const lender = run.lender ?? pool;
  const record = (input: GPUTexture) => {
    // Stages keep the size of their input (an AI stage before may have changed it).
    const output = lender.acquire(input.width, input.height);
    ctx
      .gpuStage(spec)
      .encode({ encoder: run.encoder, input, output, pool: lender, frame }, spec.params);
    run.recorded(index);
    run.release(input);
    run.pixels = { on: 'gpu', texture: output };
  };
  const recordAfterWait = (input: GPUTexture) => {
    record(input);
    if (run.overlapping) run.flush();
  };
  if (run.clean && !run.segmentOpen) {
    if (run.dirty) run.flush(); // the source copy: not part of the segment's time
    return run
      .idle()
      .then(() => run.toGpu())
      .then(recordAfterWait);
  }
  const pixels = run.pixels;
  if (pixels.on === 'gpu') record(pixels.texture);
  else return run.toGpu().then(recordAfterWait);
}
