// The model repository: one folder per model holding config.json (and usually 1/model.onnx).
// Each model loads on its own: a bad config or model leaves that model UNAVAILABLE with a
// reason and the others serving. Only folder names matching MODEL_NAME become models, so a
// client can address nothing else.
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { Batcher, type BatcherHooks, type Clock } from './batcher.ts';
import {
  MODEL_NAME,
  parseModelConfig,
  type ParsedModelConfig,
  type TensorConfig,
} from './config.ts';
import { datatypeOfOrt, ortType, type Datatype, type TensorData } from './protocol/datatypes.ts';
import { ModelRunner } from './runner/runner.ts';
import type { Provider, WireTensor } from './runner/messages.ts';
import type { InferRequest } from './validate.ts';

export type { Provider };
export const PROVIDERS: readonly Provider[] = ['cpu', 'cuda'];

export interface OutputTensor {
  datatype: Datatype;
  shape: number[];
  data: TensorData;
}

export type Outputs = Map<string, OutputTensor>;

export interface ReadyModel {
  name: string;
  state: 'READY';
  config: ParsedModelConfig;
  batcher: Batcher<InferRequest, Outputs>;
  runner: ModelRunner;
}

export interface UnavailableModel {
  name: string;
  state: 'UNAVAILABLE';
  reason: string;
  config?: ParsedModelConfig;
}

export type Model = ReadyModel | UnavailableModel;

export interface LoadOptions {
  provider: Provider;
  clock: Clock;
  /** Per-model batcher hooks (metrics), and a stopped run (a process model's, see runner.ts). */
  hooks?: (
    model: string,
  ) => BatcherHooks & { onStopped?(): void; onRestarted?(reason: string): void };
}

export async function loadRepository(
  dir: string,
  options: LoadOptions,
): Promise<Map<string, Model>> {
  const models = new Map<string, Model>();
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || !MODEL_NAME.test(entry.name)) continue;
    models.set(entry.name, await loadModel(join(dir, entry.name), entry.name, options));
  }
  return models;
}

async function loadModel(folder: string, name: string, options: LoadOptions): Promise<Model> {
  let config: ParsedModelConfig | undefined;
  try {
    const configPath = join(folder, 'config.json');
    config = parseModelConfig(await readFile(configPath, 'utf8'), name);
    const file = resolve(dirname(configPath), config.model_file);
    const hooks = options.hooks?.(name);
    let loaded;
    try {
      loaded = await ModelRunner.start(file, {
        provider: options.provider,
        isolation: config.isolation,
        onStopped: hooks?.onStopped,
        onRestarted: (reason) => {
          console.error(`model '${name}': ${reason}; loading it again in a fresh worker`);
          hooks?.onRestarted?.(reason);
        },
      });
    } catch (e) {
      // Clients read the reason (readiness, repository index): the file's path stays out of it;
      // the server's log has it.
      const message = (e as Error).message.split('\n')[0].replaceAll(file, 'the model file');
      console.error(`model '${name}': cannot load ${file}: ${message}`);
      throw new Error(
        options.provider === 'cpu'
          ? `cannot load its model file: ${message}`
          : `cannot load its model file with execution provider '${options.provider}' (is it available in this onnxruntime-node build?): ${message}`,
      );
    }
    const { runner } = loaded;
    try {
      checkAgainstModel(config, loaded.inputs, loaded.outputs);
    } catch (e) {
      await runner.close();
      throw e;
    }
    const ready: ReadyModel = {
      name,
      state: 'READY',
      config,
      runner,
      batcher: new Batcher<InferRequest, Outputs>(
        {
          merge: config.max_batch_size > 0 && config.dynamic_batching !== undefined,
          adaptive: true,
          maxBatchSize: Math.max(1, config.max_batch_size),
          maxQueueDelayMs: (config.dynamic_batching?.max_queue_delay_microseconds ?? 0) / 1000,
          preferredBatchSizes: config.dynamic_batching?.preferred_batch_size ?? [],
          maxQueueSize: config.max_queue_size,
        },
        options.clock,
        (requests, signal) => runBatch(ready, requests, signal),
        hooks,
      ),
    };
    return ready;
  } catch (e) {
    return {
      name,
      state: 'UNAVAILABLE',
      reason: (e as Error).message,
      ...(config ? { config } : {}),
    };
  }
}

/** Throws when config.json disagrees with the ONNX model's own inputs and outputs. */
export function checkAgainstModel(
  config: ParsedModelConfig,
  modelInputs: readonly InferenceSession.ValueMetadata[],
  modelOutputs: readonly InferenceSession.ValueMetadata[],
): void {
  const inputs = new Map(modelInputs.map((m) => [m.name, m]));
  const outputs = new Map(modelOutputs.map((m) => [m.name, m]));
  const missing = [...inputs.keys()].filter((n) => !config.input.some((t) => t.name === n));
  if (missing.length > 0)
    throw new Error(`config input lacks model input(s) ${missing.map((n) => `'${n}'`).join(', ')}`);
  const check = (
    t: TensorConfig,
    kind: 'input' | 'output',
    meta: InferenceSession.ValueMetadata | undefined,
  ) => {
    const all = [...(kind === 'input' ? inputs : outputs).keys()].map((n) => `'${n}'`).join(', ');
    if (!meta) throw new Error(`${kind} '${t.name}' is not in the model (it has ${all})`);
    if (!meta.isTensor) throw new Error(`${kind} '${t.name}' is not a tensor in the model`);
    const type = datatypeOfOrt(meta.type);
    if (type !== t.data_type)
      throw new Error(
        `${kind} '${t.name}' is ${t.data_type} in config but ${type ?? meta.type} in the model`,
      );
    if (meta.shape.length === 0) return; // rank unknown to the model: nothing to compare
    const batching = config.max_batch_size > 0;
    const dims = batching ? meta.shape.slice(1) : meta.shape;
    if (meta.shape.length !== t.dims.length + (batching ? 1 : 0))
      throw new Error(
        `${kind} '${t.name}' has model shape [${meta.shape}]; config dims [${t.dims}] ${batching ? 'plus the batch dimension ' : ''}do not match its rank`,
      );
    const fixed = (d: number | string): d is number => typeof d === 'number' && d >= 0;
    if (batching && fixed(meta.shape[0]))
      throw new Error(
        `${kind} '${t.name}' has a fixed first dimension ${meta.shape[0]} in the model, so it cannot batch: set max_batch_size to 0`,
      );
    dims.forEach((d, k) => {
      if (fixed(d) && t.dims[k] !== d)
        throw new Error(
          `${kind} '${t.name}' dims[${k}] is ${t.dims[k]} in config but ${d} in the model`,
        );
    });
  };
  for (const t of config.input) check(t, 'input', inputs.get(t.name));
  for (const t of config.output) check(t, 'output', outputs.get(t.name));
}

/** Runs requests as one batch: inputs concatenated along dimension 0, outputs split back. */
async function runBatch(
  model: ReadyModel,
  requests: InferRequest[],
  signal: AbortSignal,
): Promise<Outputs[]> {
  const { config, runner } = model;
  const feeds: Record<string, WireTensor> = {};
  const rows = requests.map((r) => (config.max_batch_size > 0 ? r.inputs[0].shape[0] : 0));
  config.input.forEach((t, i) => {
    const parts = requests.map((r) => r.inputs[i]);
    const shape = [...parts[0].shape];
    if (parts.length > 1) shape[0] = rows.reduce((a, b) => a + b, 0);
    const data = parts.length === 1 ? parts[0].data : concat(parts.map((p) => p.data));
    feeds[t.name] = { type: ortType(t.data_type), data, dims: shape };
  });
  const results = await runner.run(
    feeds,
    config.output.map((t) => t.name),
    signal,
  );
  const outs: Outputs[] = requests.map(() => new Map());
  for (const t of config.output) {
    const { dims: shape, data } = results[t.name];
    if (requests.length === 1) {
      outs[0].set(t.name, { datatype: t.data_type, shape, data });
      continue;
    }
    const total = rows.reduce((a, b) => a + b, 0);
    if (shape[0] !== total)
      throw new Error(`model output '${t.name}' has ${shape[0]} rows for a batch of ${total}`);
    const stride = data.length / total;
    let at = 0;
    requests.forEach((_, i) => {
      const slice = data.slice(at * stride, (at + rows[i]) * stride) as TensorData;
      outs[i].set(t.name, {
        datatype: t.data_type,
        shape: [rows[i], ...shape.slice(1)],
        data: slice,
      });
      at += rows[i];
    });
  }
  return outs;
}

function concat(parts: TensorData[]): TensorData {
  if (Array.isArray(parts[0])) return (parts as string[][]).flat();
  const first = parts[0] as Exclude<TensorData, string[]>;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const Ctor = first.constructor as new (n: number) => Exclude<TensorData, string[]>;
  const out = new Ctor(total);
  let at = 0;
  for (const p of parts as Exclude<TensorData, string[]>[]) {
    (out as Uint8Array).set(p as Uint8Array, at);
    at += p.length;
  }
  return out;
}

/** The key under which requests may share a batch: their shapes without dimension 0. */
export function batchKey(request: InferRequest): string {
  return request.inputs.map((i) => i.shape.slice(1).join('x')).join('|');
}
