// The shared vocabulary every layer may import (and which imports nothing of the app's).
export { createImage, type RgbaImage } from './image';
export {
  ML_TARGETS,
  ML_TARGET_DEVICE,
  ML_TARGET_LABELS,
  PIXEL_TARGETS,
  isMlTarget,
  type MlTarget,
  type PixelTarget,
  type StageTarget,
} from './targets';
export { Tripwire } from './tripwire';
export { STRATEGIES, STRATEGY_LABELS, type Strategy } from './strategies';
