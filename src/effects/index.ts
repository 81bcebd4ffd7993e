export { EFFECTS, findEffect, findEntry, findMlEffect, searchEffects } from './catalogue';
export { ML_EFFECTS } from './ml-effects';
export { isMlEffect } from './effect';
export {
  EMPTY_CHAIN,
  ChainFormatError,
  addCustomStage,
  addStage,
  chainFromStages,
  createStage,
  decodeChainFromUrl,
  encodeChainForUrl,
  moveStage,
  parseChain,
  removeStage,
  resetParams,
  serializeChain,
  setCustomSource,
  setEnabled,
  setParam,
  setTarget,
  PIXEL_TARGETS,
  targetsFor,
} from './chain';
export type { Chain, PixelTarget, StageSpec, StageTarget } from './chain';
export type {
  AnyEffect,
  CatalogueEntry,
  EffectDefinition,
  EffectEnv,
  MlEffectDefinition,
  Region,
} from './effect';
export { createImage, type RgbaImage } from './image';
export { CubeParseError, formatCube, parseCube, sampleCube, type CubeLut } from './lut/cube';
export { packLut, type Lut } from './lut/lut';
export { LutStore, type KeyValueStorage } from './lut/store';
export {
  clampNumber,
  defaultParams,
  validateParams,
  type LutRef,
  type NumberParam,
  type ParamSchema,
  type ParamSpec,
  type ParamValue,
  type ParamValues,
} from './params';
export {
  autoLevels,
  curveKnots,
  evalCurve,
  MAX_CURVE_POINTS,
  TONE_CHANNELS,
  type CurvePoint,
  type CurvesValue,
  type LevelsAdjust,
  type LevelsValue,
  type ToneChannel,
} from './tone';
