import { ML_TARGET_DEVICE, isMlTarget, type MlTarget, type StageTarget } from '../../core/targets';
import type { StageSpec } from '../../effects/chain';
import type { GpuContext } from '../../gpu/device';
import { ModelFailure } from '../../ml/effects/model-failure';
import { linkOf } from '../../ml/remote/link';
import type { FrameRun } from '../frame-run';
import type { Ran, RunnerContext } from './context';

/**
 * Runs an AI stage on its placed ML target, on whichever side of the machine the frame is (the
 * segmentation effects keep a GPU frame on the GPU). A target that fails is reported to the
 * placer and the next available one runs the stage; a problem with the input itself (a frame
 * too large) or no working target skips the stage, and the frame goes on without it. A device
 * lost under the frame fails the frame, not the target.
 */
export async function runMlStage(
  ctx: RunnerContext,
  gpu: GpuContext,
  run: FrameRun,
  spec: StageSpec,
  index: number,
  placed: StageTarget,
  ran: Ran,
): Promise<void> {
  const ml = ctx.ml;
  const io = run.io();
  const available = ml?.targets ?? [];
  // After the placed target: those the placement strategy allows (a failed one is no longer
  // allowed), then any other, so the frame is not lost.
  const allowed = (t: MlTarget) => ctx.placer.allows?.(t) ?? true;
  const order = [placed, ...available.filter(allowed), ...available].filter(
    (t, k, all): t is MlTarget => isMlTarget(t) && available.includes(t) && all.indexOf(t) === k,
  );
  let reason: string | null = null;
  let warming: MlTarget | null = null;
  for (const target of order) {
    // A frame of a stream does not wait for a model to load where the stage fails over to: an
    // endpoint that restarted froze the picture for the 6.5 s ort-wasm took to load the model.
    // A target further on whose model is ready runs it; else the first cold one loads (below).
    if (target !== placed && run.live && !ml!.isReady(spec.effect, target)) {
      warming ??= target;
      continue;
    }
    const at = run.pixels.on;
    const onGpu = ML_TARGET_DEVICE[target] === 'gpu';
    try {
      // Segmentation runs on the GPU side: a frame in CPU memory goes up first (a move the
      // scheduler counts: these targets' location is the GPU). Its CPU twin composites on the
      // page's thread, many times slower, and a stage whose cost hung on where the frame
      // happened to be could not be planned (one estimate mixed both).
      const gpuSide = ml!.runsOnGpu(spec.effect);
      const texture = gpuSide ? await run.toGpu() : null;
      // Super-resolution reads the frame back first (its round trip is the stage's time).
      const r0 = ctx.now();
      const image = gpuSide ? null : await run.toCpu();
      const readbackMs = ctx.now() - r0;
      /**
       * Whether the stage's own work is on the GPU queue (a GPU target, or the GPU side's
       * resize, readback and composite): it is then the stage's alone only on a clean frame,
       * which starts it on an idle queue and times it to the end of its GPU work. A frame read
       * back for super-resolution is learned on every frame, readback included (learned from
       * clean frames only, the endpoint's round trip at two in flight came mostly from
       * calibration, both frames at the endpoint together: predicted 1.4 fps, ran 2.4).
       */
      const usesGpu = onGpu || gpuSide;
      let ms = 0;
      let endedAt = 0;
      const stage = async () => {
        // A clean frame's stage starts on an idle queue (other frames submit meanwhile).
        if (run.clean && usesGpu) await run.idle();
        const t0 = ctx.now();
        if (texture) {
          const out = await ml!.runOnGpu(spec.effect, target, texture, spec.params, ctx.env, io);
          run.release(texture);
          run.pixels = { on: 'gpu', texture: out };
          // Submitted before another frame may use the runner's GPU buffers.
          if (run.overlapping) io.flush();
        } else {
          const max = gpu.adapter.maxTextureDimension2D;
          const out = await ml!.runOnCpu(spec.effect, target, image!, spec.params, ctx.env, max);
          run.pixels = { on: 'cpu', image: out };
        }
        // On the GPU, a model's run can resolve before its work is done; the GPU side's
        // composite is the stage's work too.
        if (run.clean && usesGpu) await run.idle();
        endedAt = ctx.now();
        ms = readbackMs + endedAt - t0;
      };
      // One frame at a time on each runtime (its GPU side keeps buffers between frames); the
      // endpoint takes several.
      const device = ML_TARGET_DEVICE[target] === 'remote' ? null : target;
      await (device ? ctx.devices.run(device, stage) : stage());
      const clean = run.clean || !usesGpu;
      const trip = await ml!.takeRoundTrips(spec.effect, target);
      run.measurement.ml.push(
        trip
          ? {
              index,
              target,
              ms,
              clean,
              at,
              link: linkOf(trip),
              endedAt,
            }
          : { index, target, ms, clean, at, endedAt },
      );
      ran.push(
        target === placed
          ? { stage: spec.id, target }
          : { stage: spec.id, target, failedOver: true },
      );
      return;
    } catch (error) {
      // The device was lost under the frame: no target failed, the frame did (the session
      // renders it again on the new device). Trying the others would load models for nothing
      // and count a failure against a target that works. Only the GPU side's own work waits
      // to learn it: a model's failure (an endpoint gone, a runtime's own device lost) is its
      // target's, and the next target runs the stage now.
      const onDevice = ML_TARGET_DEVICE[target] === 'gpu' || ml!.runsOnGpu(spec.effect);
      const own = error instanceof ModelFailure;
      if (gpu.isLost || (onDevice && !own && (await gpu.lostUnder()))) throw error;
      const message = error instanceof Error ? error.message : String(error);
      reason ??= message; // the placed target's reason is the one to show
      if (error instanceof RangeError) break; // the input, not the target: no use trying others
      ctx.placer.failed(target, message);
      if (target !== order.at(-1)) ctx.onStageFailure?.(spec, target, message, false);
    }
  }
  if (warming) {
    // Nothing could run the stage now: the first cold target loads, and the stream goes on
    // without the stage meanwhile.
    ml!.warm(spec.effect, warming);
    reason = `${reason ?? `${placed} is not available`}; ${warming} is loading the model, and the video goes on without the stage until it has`;
  }
  reason ??= ml ? 'no ML target can run here' : 'no ML runner';
  ctx.onStageFailure?.(spec, placed, reason, true);
  ran.push({ stage: spec.id, target: placed, skipped: true, reason });
}
