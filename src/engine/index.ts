export {
  Engine,
  HeldWrongError,
  busyOf,
  type FrameStats,
  type FrameTiming,
  type PreviewWidths,
  type TargetKind,
} from './engine';
export { diffImages, runChainOnCpu, type ImageDiff } from './cpu-chain';
export {
  APP_TARGETS,
  SchedulerPlacer,
  pinnedPlacer,
  type FrameMeasurement,
  type FramePlacer,
} from './placer';
