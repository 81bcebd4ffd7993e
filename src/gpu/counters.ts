/**
 * Live GPU object and per-frame work counters. Tests and benchmarks read these to prove that
 * memory stays flat and that the display path does one submit and no readback per frame.
 */
export interface GpuCounters {
  liveTextures: number;
  liveBuffers: number;
  /** Queue submits since the context was made. */
  submits: number;
  /** GPU → CPU copies (export, tests) since the context was made. */
  readbacks: number;
  /** Uncaptured validation / out-of-memory errors seen on this device. */
  errors: number;
  /**
   * Buffers alive on the whole device, whoever made them: ours and those of the ML runtimes that
   * share it (onnxruntime-web, tfjs). The memory tests watch it stay flat.
   */
  deviceBuffers: number;
}

export function emptyCounters(): GpuCounters {
  return {
    liveTextures: 0,
    liveBuffers: 0,
    submits: 0,
    readbacks: 0,
    errors: 0,
    deviceBuffers: 0,
  };
}
