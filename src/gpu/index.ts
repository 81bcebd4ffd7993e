export { ComputeKernel, type KernelSpec } from './compute-kernel';
export type { GpuCounters } from './counters';
export {
  GpuContext,
  GpuUnavailableError,
  describeAdapter,
  type AdapterSummary,
  type GpuOptions,
} from './device';
export {
  Presenter,
  fitZoom,
  textureTarget,
  type PresentTarget,
  type ViewTransform,
} from './presenter';
export { readTexture } from './readback';
export type { FrameInfo, GpuStage, StageIO } from './stage';
export { TexturePool } from './texture-pool';
export { UniformBlock } from './uniforms';
export { uploadImage, type UploadPath } from './upload';
