import type { RgbaImage } from '../effects';
import { diffImages } from '../engine';
import type { GpuContext } from '../gpu';
import { readTexture } from '../gpu/readback';
import { uploadImage } from '../gpu/upload';
import {
  GpuFill,
  GpuFromTensor,
  GpuLetterbox,
  GpuMaskComposite,
  GpuResize,
  GpuToTensor,
  compositeWithMask,
  fillImage,
  imageToTensor,
  letterbox,
  resizeArea,
  resizeBilinear,
  tensorToImage,
  type TensorSpec,
} from '../ml';

export interface OpParity {
  op: string;
  /** Largest difference: 8-bit levels for images, absolute value for tensors. */
  maxDiff: number;
}

/**
 * Runs each ML pre/post-processing operation on the GPU and on the CPU and reports how far apart
 * they are (test API; used by e2e/ml-ops.spec.ts). Every GPU object it makes is destroyed.
 */
export async function mlOpsParity(gpu: GpuContext, image: RgbaImage): Promise<OpParity[]> {
  const out: OpParity[] = [];
  const owned: { destroy(): void }[] = [];
  const textures: GPUTexture[] = [];
  const buffers: GPUBuffer[] = [];
  const texture = (w: number, h: number) => {
    const t = gpu.createTexture({
      label: 'Triad.test.mlOps',
      size: [w, h],
      format: 'rgba8unorm',
      usage:
        GPUTextureUsage.STORAGE_BINDING |
        GPUTextureUsage.TEXTURE_BINDING |
        GPUTextureUsage.COPY_SRC,
    });
    textures.push(t);
    return t;
  };
  const run = async (record: (encoder: GPUCommandEncoder) => void, result: GPUTexture) => {
    const encoder = gpu.device.createCommandEncoder({ label: 'Triad.test.mlOps' });
    record(encoder);
    return readTexture(gpu, result, encoder);
  };
  try {
    const source = uploadImage(gpu, image, 'Triad.test.mlOps.source').texture;
    textures.push(source);

    for (const [filter, size] of [
      ['area', [97, 61]],
      ['area', [300, 199]],
      ['bilinear', [97, 61]],
      ['bilinear', [640, 480]],
    ] as const) {
      const resize = new GpuResize(gpu, filter);
      owned.push(resize);
      const target = texture(size[0], size[1]);
      const got = await run((e) => resize.encode(e, source, target), target);
      const want = (filter === 'area' ? resizeArea : resizeBilinear)(image, size[0], size[1]);
      out.push({
        op: `resize ${filter} → ${size.join('×')}`,
        maxDiff: diffImages(got, want, 255).maxDiff,
      });
    }

    const fill = new GpuFill(gpu);
    owned.push(fill);
    const filled = texture(37, 23);
    const colour = [0, 177, 64, 200];
    const gotFill = await run((e) => fill.encode(e, filled, colour), filled);
    out.push({
      op: 'fill → 37×23',
      maxDiff: diffImages(gotFill, fillImage(37, 23, colour), 255).maxDiff,
    });

    const boxer = new GpuLetterbox(gpu);
    owned.push(boxer);
    const boxed = texture(160, 160);
    const pad: [number, number, number] = [114, 114, 114];
    const gotBox = await run((e) => boxer.encode(e, source, boxed, pad), boxed);
    out.push({
      op: 'letterbox → 160×160',
      maxDiff: diffImages(gotBox, letterbox(image, 160, 160, pad).image, 255).maxDiff,
    });

    for (const layout of ['nchw', 'nhwc'] as const) {
      const spec: TensorSpec = { layout, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
      const n = image.width * image.height * 3;
      const tensor = gpu.createBuffer({
        label: 'Triad.test.tensor',
        size: n * 4,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      const staging = gpu.createBuffer({
        label: 'Triad.test.tensor.staging',
        size: n * 4,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      buffers.push(tensor, staging);
      const pack = new GpuToTensor(gpu);
      owned.push(pack);
      const encoder = gpu.device.createCommandEncoder();
      pack.encode(encoder, source, tensor, spec);
      encoder.copyBufferToBuffer(tensor, 0, staging, 0, n * 4);
      gpu.submit([encoder.finish()]);
      gpu.counters.readbacks++;
      await staging.mapAsync(GPUMapMode.READ);
      const got = new Float32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      const want = imageToTensor(image, spec);
      let maxDiff = 0;
      for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
      out.push({ op: `to tensor ${layout}`, maxDiff });

      const unpack = new GpuFromTensor(gpu);
      owned.push(unpack);
      const back = texture(image.width, image.height);
      const gotImage = await run((e) => unpack.encode(e, tensor, back, spec), back);
      const wantImage = tensorToImage(want, image.width, image.height, spec);
      out.push({
        op: `from tensor ${layout}`,
        maxDiff: diffImages(gotImage, wantImage, 255).maxDiff,
      });
    }

    // A soft radial mask at 1/8 resolution composites the image over its inverse.
    const mw = Math.ceil(image.width / 8);
    const mh = Math.ceil(image.height / 8);
    const maskData = new Float32Array(mw * mh);
    for (let y = 0; y < mh; y++)
      for (let x = 0; x < mw; x++)
        maskData[y * mw + x] = Math.max(0, 1 - Math.hypot(x / mw - 0.5, y / mh - 0.5) * 2);
    const maskBuffer = gpu.createBuffer({
      label: 'Triad.test.mask',
      size: maskData.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    buffers.push(maskBuffer);
    gpu.device.queue.writeBuffer(maskBuffer, 0, maskData);
    const inverse: RgbaImage = {
      ...image,
      data: image.data.map((v, i) => (i % 4 === 3 ? v : 255 - v)),
    };
    const background = uploadImage(gpu, inverse, 'Triad.test.mlOps.background').texture;
    textures.push(background);
    const composite = new GpuMaskComposite(gpu);
    owned.push(composite);
    const mixed = texture(image.width, image.height);
    const gotMix = await run(
      (e) =>
        composite.encode(
          e,
          source,
          background,
          { buffer: maskBuffer, width: mw, height: mh },
          mixed,
        ),
      mixed,
    );
    const wantMix = compositeWithMask(image, inverse, { width: mw, height: mh, data: maskData });
    out.push({
      op: 'mask upsample + composite',
      maxDiff: diffImages(gotMix, wantMix, 255).maxDiff,
    });
    return out;
  } finally {
    for (const o of owned) o.destroy();
    for (const t of textures) gpu.destroy(t);
    for (const b of buffers) gpu.destroy(b);
  }
}
