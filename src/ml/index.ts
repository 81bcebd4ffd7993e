export { fitSize, resizeArea, resizeBilinear } from './resize';
export { GpuResize, type ResizeFilter } from './resize-gpu';
export { GpuFromTensor, GpuLetterbox, GpuMaskComposite, GpuToTensor } from './ops-gpu';
export {
  compositeWithMask,
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
