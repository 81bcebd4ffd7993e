/** The ML targets the app knows; each reports whether it can run here, and why not. */
export type MlTarget =
  'ort-webgpu' | 'ort-wasm' | 'ort-webnn' | 'tfjs-webgpu' | 'ort-node' | 'remote';

/** The browser's ML targets, in order of preference (the picker's list). */
export const ML_TARGETS: readonly MlTarget[] = [
  'ort-wasm',
  'ort-webgpu',
  'tfjs-webgpu',
  'ort-webnn',
  'remote',
];

/** Short names for the UI (the target picker), and what each is. */
export const ML_TARGET_LABELS: Record<MlTarget, { short: string; long: string }> = {
  'ort-wasm': { short: 'WASM', long: 'onnxruntime-web, WebAssembly on the CPU (in a worker)' },
  'ort-webgpu': { short: 'ORT GPU', long: 'onnxruntime-web, WebGPU in a worker of its own' },
  'ort-webnn': { short: 'WebNN', long: 'onnxruntime-web, WebNN (the browser’s ML accelerator)' },
  'tfjs-webgpu': { short: 'TF.js', long: 'TensorFlow.js, WebGPU, running the original model' },
  'ort-node': {
    short: 'Node',
    long: 'onnxruntime-node on the CPU (the triad command, no browser)',
  },
  remote: { short: 'Endpoint', long: 'the inference endpoint (Open Inference Protocol v2)' },
};

/** The ML targets of the `triad` command (Node, no browser), in order of preference. */
export const NODE_ML_TARGETS: readonly MlTarget[] = ['ort-node', 'remote'];

/** The physical device each ML target's time is spent on (the scheduler shares it). */
export const ML_TARGET_DEVICE: Record<MlTarget, 'cpu' | 'gpu' | 'npu' | 'remote'> = {
  'ort-wasm': 'cpu',
  'ort-webgpu': 'gpu',
  'tfjs-webgpu': 'gpu',
  'ort-webnn': 'npu',
  'ort-node': 'cpu',
  remote: 'remote',
};

export function isMlTarget(value: unknown): value is MlTarget {
  return ML_TARGETS.includes(value as MlTarget) || NODE_ML_TARGETS.includes(value as MlTarget);
}

/** Where a pixel effect can run: its WGSL kernel on the GPU, or its CPU kernel on the workers. */
export type PixelTarget = 'gpu' | 'cpu';
export const PIXEL_TARGETS: readonly PixelTarget[] = ['gpu', 'cpu'];
/** Where a stage runs (or the user pinned it): a pixel target, or an ML target for an AI effect. */
export type StageTarget = PixelTarget | MlTarget;
