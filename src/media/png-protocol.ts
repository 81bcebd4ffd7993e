/** The PNG encoder worker's API (workers/png-encoder.worker.ts implements it). */
export interface PngEncoderApi {
  /** Encodes straight-alpha RGBA pixels (transferred) as a PNG. */
  encodePng(width: number, height: number, pixels: ArrayBuffer): Promise<Blob>;
}
