import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tfc from '@tensorflow/tfjs-converter';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from './png';

const ROOT = new URL('../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(`${ROOT}public/models/manifest.json`, 'utf8')) as {
  models: { id: string; task: string; scale: number; files: { onnx: string; tfjs: string } }[];
};

/** A crop of a real photo, as the NHWC float32 [0, 255] tensor the models take. */
function photoCrop(size: number): { data: Float32Array; shape: [number, number, number, number] } {
  const png = decodePng(readFileSync(`${ROOT}e2e/fixtures/chelsea.png`));
  const data = new Float32Array(size * size * 3);
  const x0 = Math.floor(png.width / 2) - size / 2;
  const y0 = Math.floor(png.height / 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < 3; c++)
        data[(y * size + x) * 3 + c] = png.data[((y0 + y) * png.width + x0 + x) * 4 + c];
  return { data, shape: [1, size, size, 3] };
}

function psnr(a: Float32Array, b: Float32Array, peak = 255): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return 10 * Math.log10((peak * peak) / (se / a.length));
}

/** A tfjs model directory (model.json + one weights file) as an in-memory IO handler. */
function fromDisk(modelDir: string) {
  const json = JSON.parse(readFileSync(`${modelDir}/model.json`, 'utf8'));
  const weightData = readFileSync(`${modelDir}/${json.weightsManifest[0].paths[0]}`);
  return tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
    weightData: weightData.buffer.slice(
      weightData.byteOffset,
      weightData.byteOffset + weightData.byteLength,
    ),
  });
}

async function runTfjs(
  modelDir: string,
  input: ReturnType<typeof photoCrop>,
): Promise<Float32Array> {
  const model = await tfl.loadLayersModel(fromDisk(modelDir));
  const x = tf.tensor4d(input.data, input.shape);
  const y = model.predict(x) as tf.Tensor;
  const out = (await y.data()) as Float32Array;
  x.dispose();
  y.dispose();
  model.dispose();
  return out;
}

describe('converted models match their originals', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const entry of manifest.models.filter((m) => m.task === 'super-resolution')) {
    it(`${entry.id}: ONNX (onnxruntime-node) vs the original (tfjs) on a real photo, PSNR ≥ 50 dB`, async () => {
      const input = photoCrop(32);
      const original = await runTfjs(
        `${ROOT}public/models/${entry.files.tfjs.replace(/\/model\.json$/, '')}`,
        input,
      );
      const session = await ort.InferenceSession.create(`${ROOT}public/models/${entry.files.onnx}`);
      const result = await session.run({
        input: new ort.Tensor('float32', input.data, input.shape),
      });
      const converted = result.output.data as Float32Array;
      expect(result.output.dims).toEqual([1, 32 * entry.scale, 32 * entry.scale, 3]);
      expect(converted.length).toBe(original.length);
      const db = psnr(converted, original);
      expect(db).toBeGreaterThanOrEqual(50);
      // And the output is a picture of the input, not noise: close to a plain nearest upscale.
      const s = entry.scale;
      const nearest = new Float32Array(converted.length);
      for (let y = 0; y < 32 * s; y++)
        for (let x = 0; x < 32 * s; x++)
          for (let c = 0; c < 3; c++)
            nearest[(y * 32 * s + x) * 3 + c] =
              input.data[(((y / s) | 0) * 32 + ((x / s) | 0)) * 3 + c];
      const likeInput = psnr(
        converted.map((v) => Math.min(255, Math.max(0, v))),
        nearest,
      );
      expect(likeInput).toBeGreaterThan(20);
      console.log(
        entry.id,
        'PSNR vs tfjs',
        db.toFixed(1),
        'dB; vs nearest upscale',
        likeInput.toFixed(1),
        'dB',
      );
      await session.release();
    }, 60_000);
  }

  for (const entry of manifest.models.filter((m) => m.task === 'segmentation')) {
    it(`${entry.id}: ONNX vs the original (tfjs graph) on a photo of a person, mask IoU ≥ 0.99`, async () => {
      const png = decodePng(readFileSync(`${ROOT}e2e/fixtures/astronaut-256.png`));
      const input = new Float32Array(256 * 256 * 3);
      for (let i = 0; i < 256 * 256; i++)
        for (let c = 0; c < 3; c++) input[i * 3 + c] = png.data[i * 4 + c] / 255;
      const model = await tfc.loadGraphModel(fromDisk(`${ROOT}public/models/${entry.id}/tfjs`));
      const x = tf.tensor4d(input, [1, 256, 256, 3]);
      const y = model.predict(x) as tf.Tensor;
      const original = (await y.data()) as Float32Array;
      x.dispose();
      y.dispose();
      model.dispose();

      const session = await ort.InferenceSession.create(`${ROOT}public/models/${entry.files.onnx}`);
      const result = await session.run({
        input: new ort.Tensor('float32', input, [1, 256, 256, 3]),
      });
      const converted = result.output.data as Float32Array;
      await session.release();
      expect(result.output.dims).toEqual([1, 256, 256, 1]);

      let both = 0;
      let either = 0;
      for (let i = 0; i < original.length; i++) {
        const a = original[i] > 0.5;
        const b = converted[i] > 0.5;
        if (a && b) both++;
        if (a || b) either++;
      }
      // The photo does show a person: a real share of the frame is segmented.
      expect(either / original.length).toBeGreaterThan(0.1);
      expect(both / either).toBeGreaterThanOrEqual(0.99);
      expect(psnr(converted, original, 1)).toBeGreaterThanOrEqual(50);
    }, 60_000);
  }
});
