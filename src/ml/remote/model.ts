import type { MlModel, TensorData } from '../runtime/tensor-data';
import { RemoteError, type OipClient, type RoundTrip } from './client';

/** Round trips added up (a tiled effect makes several per frame). */
export function addRoundTrips(a: RoundTrip | null, b: RoundTrip): RoundTrip {
  if (!a) return { ...b };
  return {
    serializeMs: a.serializeMs + b.serializeMs,
    networkQueueMs: a.networkQueueMs + b.networkQueueMs,
    computeMs: a.computeMs + b.computeMs,
    queueMs: a.queueMs + b.queueMs,
    deserializeMs: a.deserializeMs + b.deserializeMs,
  };
}

/**
 * A model served by an Open Inference Protocol v2 endpoint: the "remote" ML target. The model's
 * name on the endpoint is its id in the manifest; its input and output names come from the
 * endpoint's metadata. Nothing to release locally; `release` cancels a call in flight.
 */
export class RemoteModel implements MlModel {
  readonly target = 'remote' as const;
  firstRunMs: number | null = null;
  lastRunMs: number | null = null;
  readonly #client: OipClient;
  readonly #name: string;
  readonly #input: string;
  readonly #output: string;
  readonly #abort = new AbortController();
  #roundTrips: RoundTrip | null = null;

  private constructor(client: OipClient, name: string, input: string, output: string) {
    this.#client = client;
    this.#name = name;
    this.#input = input;
    this.#output = output;
  }

  static async load(client: OipClient, name: string): Promise<RemoteModel> {
    const meta = await client.modelMetadata(name);
    const input = meta.inputs?.[0];
    const output = meta.outputs?.[0];
    if (!input || !output)
      throw new RemoteError('protocol', `the endpoint's model ${name} has no inputs or outputs`);
    if (input.datatype !== 'FP32')
      throw new RemoteError('protocol', `the endpoint's ${name} takes ${input.datatype}, not FP32`);
    return new RemoteModel(client, name, input.name, output.name);
  }

  async run(input: TensorData): Promise<TensorData> {
    const t0 = performance.now();
    const { outputs, timing } = await this.#client.infer(
      this.#name,
      [{ name: this.#input, datatype: 'FP32', shape: input.dims, data: input.data }],
      { outputs: [this.#output], signal: this.#abort.signal },
    );
    const ms = performance.now() - t0;
    if (this.firstRunMs === null) this.firstRunMs = ms;
    else this.lastRunMs = ms;
    this.#roundTrips = addRoundTrips(this.#roundTrips, timing);
    const out = outputs.find((o) => o.name === this.#output);
    if (!out || !(out.data instanceof Float32Array))
      throw new RemoteError('protocol', `the endpoint sent no FP32 ${this.#output}`);
    return { data: out.data, dims: out.shape };
  }

  /** The round trips since the last call, added up (null if none). */
  takeRoundTrips(): RoundTrip | null {
    const out = this.#roundTrips;
    this.#roundTrips = null;
    return out;
  }

  async release(): Promise<void> {
    this.#abort.abort();
  }
}
