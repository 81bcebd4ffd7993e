import {
  BufferTarget,
  CanvasSource,
  Mp4OutputFormat,
  Output,
  QUALITY_MEDIUM,
  canEncodeVideo,
} from 'mediabunny';

/**
 * Encodes a synthetic clip at a size: a photo (cover-fit, slowly panning) under a moving coloured
 * bar, so every frame differs, with the first codec this browser can encode (H.264, else VP9).
 * The benchmarks' and scenarios' video sources.
 */
export async function makeClip(
  photo: ImageBitmap,
  width: number,
  height: number,
  frames: number,
  onProgress?: (done: number) => void,
): Promise<File> {
  const codec = (await canEncodeVideo('avc', { width, height })) ? 'avc' : 'vp9';
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d')!;
  const output = new Output({ format: new Mp4OutputFormat(), target: new BufferTarget() });
  const source = new CanvasSource(canvas, { codec, bitrate: QUALITY_MEDIUM });
  output.addVideoTrack(source, { frameRate: 30 });
  await output.start();
  // Cover: the photo fills the frame (a little wider, so it can pan), aspect kept.
  const scale = Math.max((width + 60) / photo.width, height / photo.height);
  const [w, h] = [photo.width * scale, photo.height * scale];
  for (let i = 0; i < frames; i++) {
    ctx.drawImage(photo, -((i * 2) % 60) - (w - width - 60) / 2, (height - h) / 2, w, h);
    ctx.fillStyle = `hsl(${(i * 7) % 360} 80% 50%)`;
    ctx.fillRect((i * 23) % width, 0, Math.max(2, width / 48), height);
    await source.add(i / 30, 1 / 30);
    onProgress?.(i + 1);
  }
  await output.finalize();
  return new File([(output.target as BufferTarget).buffer!], `clip-${width}x${height}.mp4`, {
    type: 'video/mp4',
  });
}
