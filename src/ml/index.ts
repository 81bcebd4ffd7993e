export { fitSize, resizeArea, resizeBilinear } from './resize';
export { GpuResize, type ResizeFilter } from './resize-gpu';
export { GpuFill, GpuFromTensor, GpuLetterbox, GpuMaskComposite, GpuToTensor } from './ops-gpu';
export {
  compositeWithMask,
  coverCrop,
  fillImage,
  imageToTensor,
  letterbox,
  letterboxRect,
  sampleMask,
  tensorToImage,
  upsampleMask,
  type LetterboxRect,
  type Mask,
  type TensorLayout,
  type TensorSpec,
} from './tensor';
export {
  SR_OVERLAP,
  SR_TILE,
  cropImage,
  planTiles,
  runTiled,
  type Rect,
  type Tile,
  type TiledOptions,
} from './tiling';
export { ML_TARGETS, ML_TARGET_LABELS, isMlTarget, type MlTarget } from '../core/targets';
