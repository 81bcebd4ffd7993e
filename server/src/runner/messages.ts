// The typed messages between a ModelRunner (main thread) and its worker.
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { TensorData } from '../protocol/datatypes.ts';

export type Provider = 'cpu' | 'cuda';

export interface WorkerInit {
  /** Absolute path of the .onnx file. */
  file: string;
  provider: Provider;
}

export interface WireTensor {
  type: Tensor.Type;
  data: TensorData;
  dims: number[];
}

export type ToWorker =
  | { kind: 'run'; id: number; feeds: Record<string, WireTensor>; fetches: string[] }
  | { kind: 'close' };

export type FromWorker =
  | {
      kind: 'loaded';
      inputs: InferenceSession.ValueMetadata[];
      outputs: InferenceSession.ValueMetadata[];
    }
  | { kind: 'load-failed'; message: string }
  | { kind: 'result'; id: number; outputs: Record<string, WireTensor> }
  | { kind: 'failed'; id: number; message: string }
  | { kind: 'closed' };

/** The ArrayBuffers a message can hand over without copying. */
export function transferables(tensors: Record<string, WireTensor>): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const { data } of Object.values(tensors)) {
    if (Array.isArray(data)) continue;
    const buffer = data.buffer as ArrayBuffer;
    // Only buffers the tensor owns whole; a view into a larger buffer is copied instead.
    if (data.byteOffset === 0 && data.byteLength === buffer.byteLength && !out.includes(buffer))
      out.push(buffer);
  }
  return out;
}
