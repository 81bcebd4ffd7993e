import { gaussianBlurGpu } from '../../effects/gpu/gaussian-blur';
import type { EffectEnv, MlEffectDefinition } from '../../effects/effect';
import type { ParamValues } from '../../effects/params';
import type { GpuContext } from '../../gpu/device';
import { recordReadback } from '../../gpu/readback';
import type { GpuStage } from '../../gpu/stage';
import type { TextureLender } from '../../gpu/texture-pool';
import { uploadImage } from '../../gpu/upload';
import { GpuFill, GpuMaskComposite } from '../ops-gpu';
import { GpuResize } from '../resize-gpu';
import type { TensorData } from '../runtime/tensor-data';
import { coverCrop, imageToTensor, type TensorSpec } from '../tensor';
import { background, MODEL_INPUT } from './backgrounds';

/** What the engine lends an AI stage that runs on the GPU side of the frame. */
export interface GpuFrameIo {
  readonly gpu: GpuContext;
  readonly pool: TextureLender;
  /** The encoder recording the frame's GPU work now (a new one after each `flush`). */
  encoder(): GPUCommandEncoder;
  /** Submits the work recorded so far (the model needs its input on the queue). */
  flush(): void;
}

/** A mask in a GPU storage buffer; `dispose` once the composite that reads it is submitted. */
interface GpuMask {
  buffer: GPUBuffer;
  width: number;
  height: number;
  dispose(): void;
}

const TENSOR: TensorSpec = MODEL_INPUT;

/**
 * The GPU side of the segmentation effects: the frame is resized to the model's input on the GPU;
 * only that small input is read back and only the mask is sent up (no runtime shares the app's
 * device: ort-webgpu runs in a worker on a device of its own). The
 * composite (mask upsampling, blur, colour or image background) runs on the GPU, so the frame
 * itself never leaves it. Owns its kernels and buffers for one device.
 */
export class SegmentationGpu {
  readonly gpu: GpuContext;
  readonly #resize: GpuResize;
  readonly #composite: GpuMaskComposite;
  // One kernel object per use in a frame: each owns its uniforms, and uniform writes land before
  // the submit, so one object used twice in an encoder would run twice with the last values.
  readonly #fillPerson: GpuFill;
  readonly #fillBackground: GpuFill;
  readonly #resizeBackground: GpuResize;
  readonly #blur: GpuStage<{ radius: number }>;
  readonly #buffers = new Map<string, GPUBuffer>();
  #image: { id: string; texture: GPUTexture } | null = null;

  constructor(gpu: GpuContext, env: EffectEnv) {
    this.gpu = gpu;
    this.#resize = new GpuResize(gpu, 'bilinear');
    this.#composite = new GpuMaskComposite(gpu);
    this.#fillPerson = new GpuFill(gpu);
    this.#fillBackground = new GpuFill(gpu);
    this.#resizeBackground = new GpuResize(gpu, 'bilinear');
    this.#blur = gaussianBlurGpu.create(gpu, env) as GpuStage<{ radius: number }>;
  }

  /** A storage buffer of this role and size, kept for the next frames. */
  #buffer(role: string, bytes: number): GPUBuffer {
    const key = `${role}|${bytes}`;
    let buffer = this.#buffers.get(key);
    if (!buffer) {
      buffer = this.gpu.createBuffer({
        label: `Triad.segmentation.${role}`,
        size: bytes,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
      });
      this.#buffers.set(key, buffer);
    }
    return buffer;
  }

  /** The model's person mask for the frame. */
  async mask(
    io: GpuFrameIo,
    frame: GPUTexture,
    run: (input: TensorData) => Promise<TensorData>,
    [width, height]: [number, number],
  ): Promise<GpuMask> {
    const small = io.pool.acquire(width, height);
    this.#resize.encode(io.encoder(), frame, small);
    const dims = [1, height, width, 3];
    const collect = recordReadback(this.gpu, io.encoder(), small);
    io.pool.release(small);
    io.flush();
    const out = await run({ data: imageToTensor(await collect(), TENSOR), dims });
    const buffer = this.#buffer('mask', out.data.byteLength);
    this.gpu.device.queue.writeBuffer(buffer, 0, out.data as Float32Array<ArrayBuffer>);
    return { buffer, width, height, dispose: () => {} };
  }

  /** Composites the frame over the effect's background through the mask, into a pool texture. */
  composite(
    io: GpuFrameIo,
    effect: MlEffectDefinition,
    frame: GPUTexture,
    mask: GpuMask,
    params: ParamValues,
    env: EffectEnv,
  ): GPUTexture {
    const encoder = io.encoder();
    const { width, height } = frame;
    const bg = io.pool.acquire(width, height);
    let fg = frame;
    const spec = background(effect, params, env);
    if (spec.kind === 'mask') {
      fg = io.pool.acquire(width, height);
      this.#fillPerson.encode(encoder, fg, [255, 255, 255, 255]);
      this.#fillBackground.encode(encoder, bg, [0, 0, 0, 255]);
    } else if (spec.kind === 'blur') {
      this.#blur.encode(
        { encoder, input: frame, output: bg, pool: io.pool, frame: { index: 0 } },
        { radius: spec.radius },
      );
    } else if (spec.kind === 'colour') {
      this.#fillBackground.encode(encoder, bg, spec.rgba);
    } else {
      const image = this.#imageTexture(spec.id, spec.image);
      const crop = coverCrop(image.width, image.height, [width, height]);
      const cropped = io.pool.acquire(crop.width, crop.height);
      encoder.copyTextureToTexture(
        { texture: image, origin: [crop.x, crop.y] },
        { texture: cropped },
        [crop.width, crop.height],
      );
      this.#resizeBackground.encode(encoder, cropped, bg);
      io.pool.release(cropped);
    }
    const out = io.pool.acquire(width, height);
    this.#composite.encode(encoder, fg, bg, mask, out);
    io.pool.release(bg);
    if (fg !== frame) io.pool.release(fg);
    return out;
  }

  /** The background image on the GPU (the latest one is kept). */
  #imageTexture(id: string, image: Parameters<typeof uploadImage>[1]): GPUTexture {
    if (this.#image?.id === id) return this.#image.texture;
    if (this.#image) this.gpu.destroy(this.#image.texture);
    const { texture } = uploadImage(this.gpu, image, 'Triad.segmentation.background');
    this.#image = { id, texture };
    return texture;
  }

  destroy(): void {
    this.#resize.destroy();
    this.#composite.destroy();
    this.#fillPerson.destroy();
    this.#fillBackground.destroy();
    this.#resizeBackground.destroy();
    this.#blur.destroy();
    for (const b of this.#buffers.values()) this.gpu.destroy(b);
    this.#buffers.clear();
    if (this.#image) this.gpu.destroy(this.#image.texture);
    this.#image = null;
  }
}
