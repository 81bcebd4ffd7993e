// The AI runner's runtimes in Node (the triad command): the app's ONNX models from public/models
// on onnxruntime-node, on this machine's CPU cores, or served by an inference endpoint. Node only.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { NODE_ML_TARGETS } from '../core/targets';
import type { ModelEntry, ModelRuntimes } from '../ml/runtime/load';
import type { MlModel, TensorData } from '../ml/runtime/tensor-data';
import { RemoteModel } from '../ml/remote/model';

/** One model on onnxruntime-node: the `ort-node` target. */
export class OrtNodeModel implements MlModel {
  readonly target = 'ort-node' as const;
  firstRunMs: number | null = null;
  lastRunMs: number | null = null;
  readonly #session: ort.InferenceSession;

  private constructor(session: ort.InferenceSession) {
    this.#session = session;
  }

  static async load(bytes: Uint8Array): Promise<OrtNodeModel> {
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: availableParallelism(),
    });
    return new OrtNodeModel(session);
  }

  async run(input: TensorData): Promise<TensorData> {
    const t0 = performance.now();
    const name = this.#session.inputNames[0];
    const results = await this.#session.run({
      [name]: new ort.Tensor('float32', input.data, input.dims),
    });
    const out = results[this.#session.outputNames[0]];
    const ms = performance.now() - t0;
    if (this.firstRunMs === null) this.firstRunMs = ms;
    else this.lastRunMs = ms;
    return { data: out.data as Float32Array, dims: out.dims.map(Number) };
  }

  release(): Promise<void> {
    return this.#session.release();
  }
}

/** The models' directory: public/models of this checkout. */
export const MODELS_DIR = new URL('../../public/models/', import.meta.url);

/**
 * The runtimes of the triad command: onnxruntime-node (`ort-node`), available from the start, and
 * the endpoint (`remote`) once its client says it is ready.
 */
export function nodeRuntimes(models: URL = MODELS_DIR): ModelRuntimes {
  const cores = availableParallelism();
  return {
    targets: NODE_ML_TARGETS,
    ready: [['ort-node', `onnxruntime-node ${ort.env.versions.common}, ${cores} CPU threads`]],
    async manifest(): Promise<ModelEntry[]> {
      const text = await readFile(new URL('manifest.json', models), 'utf8').catch(() => {
        throw new Error(
          `the model manifest is missing (${new URL('manifest.json', models).pathname})`,
        );
      });
      return (JSON.parse(text) as { models: ModelEntry[] }).models;
    },
    availability: async (target) =>
      target === 'ort-node'
        ? { available: true, detail: `onnxruntime-node, ${cores} CPU threads` }
        : { available: false, detail: `${target} runs in the browser only` },
    async load(entry, target, _gpu, _onProgress, endpoint): Promise<MlModel> {
      if (target === 'remote') {
        if (!endpoint) throw new Error('no inference endpoint is configured');
        return RemoteModel.load(endpoint, entry.id);
      }
      if (target !== 'ort-node') throw new Error(`${target} runs in the browser only`);
      return OrtNodeModel.load(await readFile(new URL(entry.files.onnx, models)));
    },
  };
}
