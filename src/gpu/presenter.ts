import code from '../../shaders/present.wgsl?raw';
import type { GpuContext } from './device';
import { UniformBlock } from './uniforms';

/** Where the viewer looks: zoom in canvas pixels per image pixel, centre in image pixels. */
export interface ViewTransform {
  zoom: number;
  centre: [number, number];
  /** Canvas x (in canvas pixels) of the before/after line, or null for no split. */
  split: number | null;
}

interface Compiled {
  pipeline: GPURenderPipeline;
  sampler: GPUSampler;
}

const compiled = new WeakMap<GPUDevice, Map<GPUTextureFormat, Compiled>>();

function compile(device: GPUDevice, format: GPUTextureFormat): Compiled {
  const module = device.createShaderModule({ label: 'Triad.present.module', code });
  const pipeline = device.createRenderPipeline({
    label: `Triad.present.pipeline.${format}`,
    layout: 'auto',
    vertex: { module, entryPoint: 'vs' },
    fragment: { module, entryPoint: 'fs', targets: [{ format }] },
    primitive: { topology: 'triangle-list' },
  });
  const sampler = device.createSampler({
    label: 'Triad.present.sampler',
    magFilter: 'linear',
    minFilter: 'linear',
  });
  return { pipeline, sampler };
}

/**
 * Draws the result (and, left of the split line, the source) into a canvas. It is the last pass
 * of the frame's command encoder, so showing a frame never reads pixels back to the CPU.
 */
export class Presenter {
  readonly #target: PresentTarget;
  readonly #gpu: GpuContext;
  readonly #format: GPUTextureFormat;
  readonly #compiled: Compiled;
  readonly #view: UniformBlock;
  #drawn: GPUTexture | null = null;

  /**
   * Presents into a canvas, or into any `PresentTarget` (a texture in Node: `textureTarget`).
   * `readable`: the canvas's textures can be copied from (the test build reads frames back).
   */
  constructor(
    gpu: GpuContext,
    into: HTMLCanvasElement | OffscreenCanvas | PresentTarget,
    { readable = false }: { readable?: boolean } = {},
  ) {
    this.#gpu = gpu;
    this.#target = 'texture' in into ? into : canvasTarget(gpu, into, readable);
    this.#format = this.#target.format;
    let perDevice = compiled.get(gpu.device);
    if (!perDevice) compiled.set(gpu.device, (perDevice = new Map()));
    let entry = perDevice.get(this.#format);
    if (!entry) perDevice.set(this.#format, (entry = compile(gpu.device, this.#format)));
    this.#compiled = entry;
    // View: canvasSize, imageSize (the source's), centre (vec2f each), zoom, split = 8 words.
    this.#view = new UniformBlock(gpu, 'Triad.present.view', 8);
  }

  encode(
    encoder: GPUCommandEncoder,
    before: GPUTexture,
    after: GPUTexture,
    view: ViewTransform,
  ): void {
    const target = this.#target.texture();
    this.#drawn = target;
    const uniforms = this.#view
      .begin()
      .f32(target.width, target.height, before.width, before.height)
      .f32(view.centre[0], view.centre[1], view.zoom, view.split ?? -1)
      .upload();
    const bindGroup = this.#gpu.device.createBindGroup({
      label: 'Triad.present.bindGroup',
      layout: this.#compiled.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: uniforms } },
        { binding: 1, resource: this.#compiled.sampler },
        { binding: 2, resource: before.createView() },
        { binding: 3, resource: after.createView() },
      ],
    });
    const pass = encoder.beginRenderPass({
      label: 'Triad.present.pass',
      colorAttachments: [
        { view: target.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] },
      ],
    });
    pass.setPipeline(this.#compiled.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.draw(3);
    pass.end();
  }

  /**
   * The texture the last frame was drawn into. A canvas's is only valid until the browser shows
   * it (the end of the task that drew it), and can be copied from only if `readable`.
   */
  get drawn(): GPUTexture | null {
    return this.#drawn;
  }

  destroy(): void {
    this.#drawn = null;
    this.#view.destroy();
    this.#target.release?.();
  }
}

/** Where a presenter draws: the texture to draw this frame into, and its format. */
export interface PresentTarget {
  readonly format: GPUTextureFormat;
  texture(): GPUTexture;
  release?(): void;
}

/** A canvas's WebGPU context as a present target (the browser's preferred format). */
function canvasTarget(
  gpu: GpuContext,
  canvas: HTMLCanvasElement | OffscreenCanvas,
  readable: boolean,
): PresentTarget {
  const context = canvas.getContext('webgpu');
  if (!context) throw new Error('This canvas cannot show WebGPU output.');
  const format = navigator.gpu.getPreferredCanvasFormat();
  const usage = GPUTextureUsage.RENDER_ATTACHMENT | (readable ? GPUTextureUsage.COPY_SRC : 0);
  context.configure({ device: gpu.device, format, alphaMode: 'opaque', usage });
  return {
    format,
    texture: () => context.getCurrentTexture(),
    release: () => context.unconfigure(),
  };
}

/**
 * A texture of its own as the present target (Node has no canvas): what was presented can be
 * read back from `texture` (rgba8unorm).
 */
export function textureTarget(
  gpu: GpuContext,
  width: number,
  height: number,
): PresentTarget & { readonly target: GPUTexture } {
  const target = gpu.device.createTexture({
    label: 'Triad.present.offscreen',
    size: [width, height],
    format: 'rgba8unorm',
    usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
  });
  return { format: 'rgba8unorm', target, texture: () => target, release: () => target.destroy() };
}

/** The zoom that fits an image inside a canvas, never enlarging past 1:1. */
export function fitZoom(canvas: [number, number], image: [number, number]): number {
  return Math.min(1, canvas[0] / image[0], canvas[1] / image[1]);
}
