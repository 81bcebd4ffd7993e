import code from '../../shaders/sdf-scene.wgsl?raw';
import { ComputeKernel, type KernelSpec } from '../gpu/compute-kernel';
import type { GpuContext } from '../gpu/device';
import { UniformBlock } from '../gpu/uniforms';
import type { OrbitCamera } from './orbit';
import { SCENE_PARAM_WORDS, sceneParams } from './sdf-scene-cpu';

/** The scene's one kernel: no input, its parameters laid out by `sceneParams`. */
export const SCENE_KERNEL: KernelSpec = {
  label: 'Triad.sdfScene',
  code,
  inputs: 0,
  uniformWords: SCENE_PARAM_WORDS,
};

/**
 * Renders the animated SDF scene (shaders/sdf-scene.wgsl) into an rgba8unorm storage texture of
 * any size, one invocation per pixel. Owns one uniform buffer, made and destroyed through the
 * GpuContext; the pipeline is cached per device by ComputeKernel.
 *
 * The uniforms are written with `queue.writeBuffer` when `encode` is called, so one renderer
 * renders one (time, camera) per submit: a second `encode` before the submit overwrites the first.
 */
export class SceneRenderer {
  readonly #kernel: ComputeKernel;
  readonly #uniforms: UniformBlock;

  constructor(gpu: GpuContext) {
    this.#kernel = new ComputeKernel(gpu.device, SCENE_KERNEL);
    this.#uniforms = new UniformBlock(gpu, 'Triad.sdfScene.uniforms', SCENE_KERNEL.uniformWords);
  }

  encode(encoder: GPUCommandEncoder, target: GPUTexture, time: number, camera: OrbitCamera): void {
    if (target.format !== 'rgba8unorm' || !(target.usage & GPUTextureUsage.STORAGE_BINDING)) {
      throw new Error('SceneRenderer renders into rgba8unorm textures with STORAGE_BINDING usage');
    }
    const uniforms = this.#uniforms
      .begin()
      .f32(...sceneParams(time, camera))
      .upload();
    this.#kernel.dispatch(encoder, { output: target, inputs: [], uniforms });
  }

  destroy(): void {
    this.#uniforms.destroy();
  }
}
