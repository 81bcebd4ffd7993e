import type { Strategy } from '../scheduler';

export type ScenarioId = 'video-edit' | 'preview-3d' | 'ai-batch';

export interface ScenarioInfo {
  id: ScenarioId;
  name: string;
  description: string;
  unit: 'fps' | 'items/s';
}

export const SCENARIOS: readonly ScenarioInfo[] = [
  {
    id: 'video-edit',
    name: 'Video edit + render',
    description: 'A 1080p clip → colour + LUT + unsharp + background blur (AI) + grain',
    unit: 'fps',
  },
  {
    id: 'preview-3d',
    name: '3D preview',
    description: 'A WGSL ray-marched scene at half resolution → AI super-resolution ×2 → post',
    unit: 'fps',
  },
  {
    id: 'ai-batch',
    name: 'AI batch',
    description: 'A set of images → super-resolution ×2 (or segmentation), in items per second',
    unit: 'items/s',
  },
];

/** How big and how long a run is: the app's defaults, or the tiny CI mode of `npm run bench`. */
export interface ScenarioSize {
  /** The video clip's size. */
  video: [number, number];
  /** The 3D scene's render size (half the output: super-resolution doubles it). */
  scene: [number, number];
  /** The longer side of each batch image, and how many images the batch times. */
  batchImage: number;
  batchItems: number;
  /** Timed frames (items for the batch), and warm-up frames before them (not timed). */
  frames: number;
  warmup: number;
  /** Frames the warm-up may add while the scheduler is still measuring targets. */
  calibrationCap: number;
  /**
   * The most seconds each strategy's timed frames run (fewer frames then, at least
   * `MIN_TIMED_FRAMES`); absent: all `frames` (the benchmarks time a fixed count).
   */
  seconds?: number;
}

/** A time-bounded run still times at least this many frames per strategy. */
export const MIN_TIMED_FRAMES = 5;

/** Compare's default bound in the app: a few seconds per strategy, whichever comes first. */
export const COMPARE_SECONDS = 4;

/**
 * A time-bounded run's warm-up and calibration together stop after this many times its seconds
 * (after the first frame, which loads what the chain needs): a slow chain spent up to 70 frames
 * there, over a minute per strategy at 1 fps. A strategy cut short says its plan was still
 * settling (`CompareCell.unsettled`).
 */
export const WARMUP_SECONDS_FACTOR = 3;

/**
 * Windows of its plan's frames a Compare warm-up times before the timed frames (their mean is
 * the prediction): one 8-frame window ran 10–15% off the next on this machine (2 vCPUs), and a
 * prediction from one fresh window missed by 18–21% where the strategy's two repeats agreed
 * within 2% (2026-12-06).
 */
export const WARMUP_WINDOWS = 2;

export const FULL_SIZE: ScenarioSize = {
  video: [1920, 1080],
  scene: [960, 540],
  batchImage: 256,
  batchItems: 30,
  frames: 30,
  warmup: 10,
  calibrationCap: 60,
};

export const SMALL_SIZE: ScenarioSize = {
  video: [160, 90],
  scene: [64, 36],
  batchImage: 48,
  batchItems: 6,
  frames: 6,
  warmup: 3,
  calibrationCap: 12,
};

/** A chain as `parseChain` reads it. */
export interface StageJson {
  effect: string;
  params?: Record<string, unknown>;
}

export function videoEditStages(lut: { id: string; name: string }): StageJson[] {
  return [
    { effect: 'colour-adjust', params: { contrast: 10, saturation: 15 } },
    { effect: 'lut-3d', params: { lut, intensity: 80 } },
    { effect: 'unsharp-mask' },
    { effect: 'background-blur' },
    { effect: 'film-grain' },
  ];
}

export function preview3dStages(): StageJson[] {
  return [
    { effect: 'super-resolution-x2' },
    { effect: 'vignette' },
    { effect: 'chromatic-aberration' },
    { effect: 'film-grain' },
  ];
}

/** What the AI batch can run on each image, and the suffix its results get. */
export const BATCH_EFFECTS = {
  'super-resolution-x2': { label: 'Super-resolution ×2', suffix: 'x2' },
  'show-mask': { label: 'Segmentation (mask)', suffix: 'mask' },
} as const;

export type BatchEffect = keyof typeof BATCH_EFFECTS;

/** The scenario LUT: a gentle teal-and-orange grade (shadows cooler, highlights warmer). */
export function tealOrange(r: number, g: number, b: number): [number, number, number] {
  const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const k = (luma - 0.5) * 0.25;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return [clamp(r + k), clamp(g + k * 0.3), clamp(b - k)];
}

/** The strategies in the order the table shows them. */
export type { Strategy };
