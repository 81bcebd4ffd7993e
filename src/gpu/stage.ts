import type { TextureLender } from './texture-pool';

export interface FrameInfo {
  /** Frame number within the source (0 for a still image); seeds per-frame effects like grain. */
  index: number;
  /**
   * A frame of a stream (a playing video, the camera): it does not wait for a model to load on a
   * target an AI stage fails over to (the stage is skipped until the model is ready). Export and
   * stills wait.
   */
  live?: boolean;
  /**
   * One of a run of frames the caller keeps coming (playback, the camera, the scene running,
   * Compare's feed): where the engine checks the GPU's memory, it checks beside such frames, not
   * before each (awaited, each would wait for the GPU before it starts). Defaults to `live`.
   */
  inRun?: boolean;
}

/** What one stage gets to record its GPU work into the frame's single command encoder. */
export interface StageIO {
  encoder: GPUCommandEncoder;
  input: GPUTexture;
  output: GPUTexture;
  /** For intermediate textures (e.g. the first pass of a separable blur). Release before return. */
  pool: TextureLender;
  frame: FrameInfo;
}

/**
 * One effect instance in a chain, on one device: owns its uniform buffers (so the same effect
 * twice in a chain keeps two sets of parameters) and any tables it uploads.
 */
export interface GpuStage<P> {
  encode(io: StageIO, params: P): void;
  destroy(): void;
  /** Why it passes its input through unchanged (a custom effect whose code failed), if it does. */
  unavailable?(): string | null;
  /** The custom effect whose code its last `encode` ran (null: none ran; absent: not custom). */
  ranCode?(): string | null;
}
