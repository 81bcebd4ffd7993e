import { HOST_TIMERS } from '../../session/timers';
import type { CompareHost } from '../../session/compare/host';
import type { AppState } from './app.svelte';

/**
 * The app as Compare's host: frames through its session, placed by its schedulers, on its
 * device; a timed batch pauses the video and holds a live 3D scene.
 */
export function appCompareHost(app: AppState): CompareHost {
  return {
    timers: HOST_TIMERS,
    frameSlot: () => app.session.frameSlot(),
    // A run of frames: the GPU's memory checks go beside them, as during playback.
    startFrame: () => app.session.startFrame({ inRun: true }),
    workload: () => app.workload,
    framesInFlight: () => app.scheduling.framesInFlight,
    withMode: (strategy, work) => app.scheduling.withMode(strategy, work),
    scheduler: (strategy) => app.scheduling.scheduler(strategy),
    device: () => ({
      generation: app.deviceGeneration,
      gpu: app.gpu,
      ready: app.gpuStatus === 'ready',
    }),
    get runner() {
      return app.ai.runner;
    },
    get env() {
      return app.env;
    },
    async quiet() {
      await app.video.pause();
      const scene = app.scene.active;
      if (scene) app.scene.hold();
      return () => {
        if (scene) app.scene.resume();
      };
    },
  };
}
