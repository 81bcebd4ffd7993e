export { Engine, gpuOnly, type FrameStats, type Placement, type TargetKind } from './engine';
export { diffImages, runChainOnCpu, type ImageDiff } from './cpu-chain';
