/** The ML targets the app knows; each reports whether it can run here, and why not. */
export type MlTarget = 'ort-webgpu' | 'ort-wasm' | 'ort-webnn' | 'tfjs-webgpu';

export const ML_TARGETS: readonly MlTarget[] = [
  'ort-wasm',
  'ort-webgpu',
  'tfjs-webgpu',
  'ort-webnn',
];

/** Names for the UI. */
export const ML_TARGET_LABELS: Record<MlTarget, string> = {
  'ort-wasm': 'ONNX · WebAssembly (CPU)',
  'ort-webgpu': 'ONNX · WebGPU',
  'ort-webnn': 'ONNX · WebNN',
  'tfjs-webgpu': 'TensorFlow.js · WebGPU',
};

/** The physical device each ML target's time is spent on (the scheduler shares it). */
export const ML_TARGET_DEVICE: Record<MlTarget, 'cpu' | 'gpu' | 'npu'> = {
  'ort-wasm': 'cpu',
  'ort-webgpu': 'gpu',
  'tfjs-webgpu': 'gpu',
  'ort-webnn': 'npu',
};

export function isMlTarget(value: unknown): value is MlTarget {
  return ML_TARGETS.includes(value as MlTarget);
}
