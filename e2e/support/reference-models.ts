import * as ort from 'onnxruntime-node';
import { fileURLToPath } from 'node:url';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));

export interface Pixels {
  width: number;
  height: number;
  data: number[];
}

/** onnxruntime-node's person mask for 256×256 source pixels (values in [0, 1]). */
export async function referenceMask(source: Pixels): Promise<Float32Array> {
  const input = new Float32Array(source.width * source.height * 3);
  for (let i = 0; i < source.width * source.height; i++)
    for (let c = 0; c < 3; c++) input[i * 3 + c] = source.data[i * 4 + c] / 255;
  const session = await ort.InferenceSession.create(`${MODELS}selfie-segmentation/model.onnx`);
  const out = await session.run({
    input: new ort.Tensor('float32', input, [1, source.height, source.width, 3]),
  });
  const mask = out.output.data as Float32Array;
  await session.release();
  return mask;
}

/** onnxruntime-node's ESRGAN-slim ×scale result for the whole image, as RGBA bytes. */
export async function referenceUpscale(source: Pixels, scale: 2 | 4): Promise<Pixels> {
  const input = new Float32Array(source.width * source.height * 3);
  for (let i = 0; i < source.width * source.height; i++)
    for (let c = 0; c < 3; c++) input[i * 3 + c] = source.data[i * 4 + c];
  const session = await ort.InferenceSession.create(`${MODELS}esrgan-slim-x${scale}/model.onnx`);
  const out = await session.run({
    input: new ort.Tensor('float32', input, [1, source.height, source.width, 3]),
  });
  const rgb = out.output.data as Float32Array;
  await session.release();
  const width = source.width * scale;
  const height = source.height * scale;
  const data: number[] = new Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++)
      data[i * 4 + c] = Math.round(Math.min(255, Math.max(0, rgb[i * 3 + c])));
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

/** Intersection over union of a result's mask (red channel > 127) and a reference mask. */
export function maskIoU(
  result: Pixels,
  reference: Float32Array,
): { iou: number; coverage: number } {
  let both = 0;
  let either = 0;
  for (let i = 0; i < reference.length; i++) {
    const a = result.data[i * 4] > 127;
    const b = reference[i] > 0.5;
    if (a && b) both++;
    if (a || b) either++;
  }
  return { iou: both / either, coverage: either / reference.length };
}

/** PSNR over RGB of two same-size images, optionally only where `where(x, y)` holds. */
export function psnr(a: Pixels, b: Pixels, where: (x: number, y: number) => boolean = () => true) {
  let se = 0;
  let n = 0;
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) {
      if (!where(x, y)) continue;
      const i = (y * a.width + x) * 4;
      for (let c = 0; c < 3; c++) se += (a.data[i + c] - b.data[i + c]) ** 2;
      n += 3;
    }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / n));
}
