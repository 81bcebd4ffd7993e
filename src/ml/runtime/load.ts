import type { GpuContext } from '../../gpu/device';
import type { OipClient } from '../remote/client';
import { RemoteModel } from '../remote/model';
import type { MlTarget } from '../../core/targets';
import { OrtModel, availability, fetchModel, type Availability, type LoadProgress } from './ort';
import { ML_TARGETS } from '../../core/targets';
import { OrtWorkerModel } from './ort-worker';
import type { MlModel } from './tensor-data';
import { TfjsModel } from './tfjs';

/** A model's entry in public/models/manifest.json (what the app reads of it). */
export interface ModelEntry {
  id: string;
  task: 'super-resolution' | 'segmentation';
  files: { onnx: string; tfjs: string };
  inputs: { name: string; shape: (number | string)[] }[];
  scale?: number;
}

/** Fetches the model manifest; a missing one is a clear error. */
export async function fetchManifest(base: string): Promise<ModelEntry[]> {
  const response = await fetch(`${base}models/manifest.json`);
  if (!response.ok || response.headers.get('Content-Type')?.includes('text/html'))
    throw new Error(`the model manifest is missing (HTTP ${response.status})`);
  return ((await response.json()) as { models: ModelEntry[] }).models;
}

/**
 * Loads a model on a target: the ONNX conversion on onnxruntime-web (ort-wasm and ort-webgpu each
 * in a worker of its own, ort-webnn on the page), the original tfjs model on tfjs-webgpu (in a
 * worker of its own too), or the same model served by the inference endpoint (remote).
 */
export async function loadModel(
  entry: ModelEntry,
  target: MlTarget,
  gpu: GpuContext | null,
  base: string,
  onProgress?: (p: LoadProgress) => void,
  endpoint: OipClient | null = null,
): Promise<MlModel> {
  if (target === 'remote') {
    if (!endpoint) throw new Error('no inference endpoint is configured');
    return RemoteModel.load(endpoint, entry.id);
  }
  if (target === 'tfjs-webgpu') {
    if (!gpu) throw new Error('tfjs-webgpu is not available: no WebGPU device');
    // The segmentation model is a graph model, the ESRGANs are layers models.
    const format = entry.task === 'segmentation' ? 'graph' : 'layers';
    const url = `${base}models/${entry.files.tfjs}`;
    return TfjsModel.load(url, format, gpu.adapter.featureLevel, onProgress);
  }
  const bytes = await fetchModel(`${base}models/${entry.files.onnx}`, onProgress);
  return loadOnnx(bytes, target, gpu);
}

/** An ONNX model's bytes on an onnxruntime-web target. */
export function loadOnnx(
  bytes: Uint8Array,
  target: MlTarget,
  gpu: GpuContext | null,
): Promise<MlModel> {
  if (target === 'ort-wasm') return OrtWorkerModel.load(bytes, target);
  if (target === 'ort-webgpu') {
    if (!gpu) return Promise.reject(new Error('ort-webgpu is not available: no WebGPU device'));
    return OrtWorkerModel.load(bytes, target, gpu.adapter.featureLevel);
  }
  return OrtModel.load(bytes, target);
}

/**
 * Where the AI runner finds its models and runs them: the browser's runtimes here, or the triad
 * command's (`src/headless/node-runtimes.ts`: onnxruntime-node and the endpoint).
 */
export interface ModelRuntimes {
  /** The ML targets these runtimes may offer, in order of preference. */
  readonly targets: readonly MlTarget[];
  /** Targets that can run before a GPU device is known, and on what. */
  readonly ready: readonly [MlTarget, string][];
  manifest(): Promise<ModelEntry[]>;
  availability(target: MlTarget, gpu: GpuContext | null): Promise<Availability>;
  load(
    entry: ModelEntry,
    target: MlTarget,
    gpu: GpuContext | null,
    onProgress: (p: LoadProgress) => void,
    endpoint: OipClient | null,
  ): Promise<MlModel>;
}

/**
 * The browser's runtimes, models served under `base`. ort-webgpu and tfjs-webgpu each have a
 * device of their own in their worker: a loss of that one restarts the worker, and its models are
 * then `stale` and load again; none lives on the app's device.
 */
export function browserRuntimes(base: string): ModelRuntimes {
  return {
    targets: ML_TARGETS,
    ready: [['ort-wasm', 'WebAssembly']],
    manifest: () => fetchManifest(base),
    availability,
    load: (entry, target, gpu, onProgress, endpoint) =>
      loadModel(entry, target, gpu, base, onProgress, endpoint),
  };
}
