export {
  Engine,
  gpuOnly,
  pinned,
  type FrameStats,
  type Placement,
  type TargetKind,
} from './engine';
export { diffImages, runChainOnCpu, type ImageDiff } from './cpu-chain';
