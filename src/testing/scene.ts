import type { GpuContext } from '../gpu/device';
import { readTexture } from '../gpu/readback';
import type { OrbitCamera } from '../scene/orbit';
import { SceneRenderer } from '../scene/scene-renderer';
import { renderSceneCpu } from '../scene/sdf-scene-cpu';

export interface SceneParityRequest {
  width: number;
  height: number;
  time: number;
  camera: OrbitCamera;
}

export interface SceneParityResult {
  width: number;
  height: number;
  /** Mean absolute difference over the RGB channels, in 8-bit levels. */
  meanAbsDiff: number;
  /** Largest difference of any channel. */
  maxDiff: number;
  /** Share of pixels with some channel more than 2 / more than 8 levels apart. */
  over2: number;
  over8: number;
  /** PSNR of the GPU image against the CPU one, dB (Infinity when identical). */
  psnr: number;
  gpuMs: number;
  cpuMs: number;
  /** Uncaptured GPU errors raised while this ran. */
  gpuErrors: number;
  /** Textures and buffers still alive afterwards that were not before. */
  leaked: { textures: number; buffers: number };
  /** The GPU image (small sizes only: it crosses to the test as JSON). */
  gpu: { width: number; height: number; data: number[] };
}

/**
 * Renders the SDF scene with SceneRenderer, reads it back, renders the CPU twin, and reports how
 * far apart they are (test API; used by e2e/scene.spec.ts). Every GPU object it makes is destroyed.
 */
export async function sceneParity(
  gpu: GpuContext,
  req: SceneParityRequest,
): Promise<SceneParityResult> {
  const { width, height, time, camera } = req;
  const { counters } = gpu;
  const before = { textures: counters.liveTextures, buffers: counters.liveBuffers };
  const errors = counters.errors;
  const renderer = new SceneRenderer(gpu);
  const target = gpu.createTexture({
    label: 'Triad.test.scene',
    size: [width, height],
    format: 'rgba8unorm',
    usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_SRC,
  });
  let result: SceneParityResult;
  try {
    const t0 = performance.now();
    const encoder = gpu.device.createCommandEncoder({ label: 'Triad.test.scene' });
    renderer.encode(encoder, target, time, camera);
    const got = await readTexture(gpu, target, encoder);
    const gpuMs = performance.now() - t0;
    const t1 = performance.now();
    const want = renderSceneCpu(width, height, time, camera);
    const cpuMs = performance.now() - t1;

    let sum = 0;
    let sumSq = 0;
    let maxDiff = 0;
    let over2 = 0;
    let over8 = 0;
    for (let i = 0; i < got.data.length; i += 4) {
      let worst = 0;
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(got.data[i + c] - want.data[i + c]);
        sum += d;
        sumSq += d * d;
        worst = Math.max(worst, d);
      }
      maxDiff = Math.max(maxDiff, worst, Math.abs(got.data[i + 3] - want.data[i + 3]));
      if (worst > 2) over2++;
      if (worst > 8) over8++;
    }
    const pixels = width * height;
    const mse = sumSq / (pixels * 3);
    result = {
      width,
      height,
      meanAbsDiff: sum / (pixels * 3),
      maxDiff,
      over2: over2 / pixels,
      over8: over8 / pixels,
      psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse),
      gpuMs,
      cpuMs,
      gpuErrors: 0,
      leaked: { textures: 0, buffers: 0 },
      gpu: { width, height, data: Array.from(got.data) },
    };
  } finally {
    renderer.destroy();
    gpu.destroy(target);
  }
  await gpu.device.queue.onSubmittedWorkDone();
  result.gpuErrors = counters.errors - errors;
  result.leaked = {
    textures: counters.liveTextures - before.textures,
    buffers: counters.liveBuffers - before.buffers,
  };
  return result;
}
