// The request decoder's messages (main thread ⇄ decode worker).
import type { ParsedModelConfig } from '../config.ts';
import type { InferRequest } from '../validate.ts';

export interface DecodeJob {
  id: number;
  /** The request body; its buffer is transferred. */
  body: Uint8Array;
  headerLength: string | string[] | undefined;
  config: ParsedModelConfig;
}

export type Decoded =
  | { id: number; request: InferRequest }
  | { id: number; error: { status: number; message: string } };

/** The buffers of a request's typed-array tensors, each once (to transfer them). */
export function requestBuffers(request: InferRequest): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const t of request.inputs)
    if (!Array.isArray(t.data)) buffers.add(t.data.buffer as ArrayBuffer);
  return [...buffers];
}
