// A model's config.json: a JSON mirror of Triton's config.pbtxt, the subset this server uses.
// Parsing checks every field and names it in the error; validation against the ONNX model's own
// metadata happens in repository.ts once the session exists.
import { isDatatype, type Datatype } from './protocol/datatypes.ts';

export interface TensorConfig {
  name: string;
  data_type: Datatype;
  /** Without the batch dimension when max_batch_size > 0; -1 means any size. */
  dims: number[];
}

export interface DynamicBatching {
  max_queue_delay_microseconds: number;
  preferred_batch_size?: number[];
}

/**
 * What one request may cost (a Triad field; Triton has none): the inputs' elements, and how
 * many output elements each input element makes when the config's dims cannot say (an image
 * model ×4 makes 16), so a JSON answer too large to encode is refused before the model runs.
 */
export interface CostConfig {
  max_input_elements?: number;
  output_elements_per_input_element?: number;
}

/**
 * An image-to-image model (NHWC FP32 in, NHWC `scale` times larger out) that may run tile by tile:
 * `tile` px squares with `overlap` px of context (a Triad field, like `cost`).
 */
export interface TilingConfig {
  tile: number;
  overlap: number;
  scale: number;
}

/**
 * Where the model's session runs (a Triad field): 'thread' (default) a worker thread — no copy
 * of tensors on the way, but a run cannot be stopped once started; 'process' a child process —
 * tensors are copied through its IPC pipe, and a run whose requests are all gone (timed out,
 * client disconnected) is stopped by ending the process, which is then started again.
 */
export type Isolation = 'thread' | 'process';
export const ISOLATIONS: readonly Isolation[] = ['thread', 'process'];

export interface ModelConfig {
  name: string;
  platform: 'onnxruntime_onnx';
  /** Relative to the folder of config.json. */
  model_file: string;
  max_batch_size: number;
  dynamic_batching?: DynamicBatching;
  /** Requests waiting (not yet executing) before new ones are refused with 503. */
  max_queue_size: number;
  cost?: CostConfig;
  tiling?: TilingConfig;
  isolation: Isolation;
}

export interface ParsedModelConfig extends ModelConfig {
  input: TensorConfig[];
  output: TensorConfig[];
}

export const DEFAULT_MODEL_FILE = '1/model.onnx';
export const DEFAULT_MAX_QUEUE_SIZE = 64;
/** Names a client may address: no separators, no dot segments. */
export const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Parses config.json text; throws an Error naming the bad field. */
export function parseModelConfig(text: string, folderName: string): ParsedModelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`config.json is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(raw)) throw new Error('config.json must be a JSON object');
  const { name, platform, model_file, max_batch_size, dynamic_batching, max_queue_size, cost } =
    raw;
  const { tiling, isolation } = raw;
  if (typeof name !== 'string' || !MODEL_NAME.test(name))
    throw new Error(`name must be a string matching ${MODEL_NAME}`);
  if (name !== folderName)
    throw new Error(`name '${name}' must match its folder name '${folderName}'`);
  if (platform !== 'onnxruntime_onnx')
    throw new Error(`platform must be 'onnxruntime_onnx', got ${JSON.stringify(platform)}`);
  if (model_file !== undefined && (typeof model_file !== 'string' || model_file === ''))
    throw new Error('model_file must be a non-empty string');
  if (!isCount(max_batch_size)) throw new Error('max_batch_size must be an integer ≥ 0');
  if (max_queue_size !== undefined && (!isCount(max_queue_size) || max_queue_size < 1))
    throw new Error('max_queue_size must be an integer ≥ 1');
  if (isolation !== undefined && !(ISOLATIONS as unknown[]).includes(isolation))
    throw new Error(`isolation must be one of ${ISOLATIONS.join(', ')}`);
  const config: ParsedModelConfig = {
    name,
    platform,
    model_file: model_file ?? DEFAULT_MODEL_FILE,
    max_batch_size,
    max_queue_size: max_queue_size ?? DEFAULT_MAX_QUEUE_SIZE,
    isolation: (isolation as Isolation | undefined) ?? 'thread',
    input: tensors(raw.input, 'input'),
    output: tensors(raw.output, 'output'),
  };
  if (cost !== undefined) config.cost = parseCost(cost);
  if (tiling !== undefined) config.tiling = parseTiling(tiling, config);
  if (dynamic_batching !== undefined) {
    if (!isObject(dynamic_batching)) throw new Error('dynamic_batching must be an object');
    if (max_batch_size === 0)
      throw new Error('dynamic_batching needs max_batch_size > 0 (requests cannot be merged)');
    const delay = dynamic_batching.max_queue_delay_microseconds ?? 0;
    if (!isCount(delay))
      throw new Error('dynamic_batching.max_queue_delay_microseconds must be an integer ≥ 0');
    const preferred = dynamic_batching.preferred_batch_size ?? [];
    if (
      !Array.isArray(preferred) ||
      !preferred.every((p) => isCount(p) && p >= 1 && p <= max_batch_size)
    )
      throw new Error(
        `dynamic_batching.preferred_batch_size must be integers in [1, max_batch_size=${max_batch_size}]`,
      );
    config.dynamic_batching = {
      max_queue_delay_microseconds: delay,
      preferred_batch_size: preferred as number[],
    };
  }
  return config;
}

function parseCost(value: unknown): CostConfig {
  if (!isObject(value)) throw new Error('cost must be an object');
  const { max_input_elements: max, output_elements_per_input_element: ratio } = value;
  if (max !== undefined && (!isCount(max) || max < 1))
    throw new Error('cost.max_input_elements must be an integer ≥ 1');
  if (ratio !== undefined && (typeof ratio !== 'number' || !(ratio > 0) || !Number.isFinite(ratio)))
    throw new Error('cost.output_elements_per_input_element must be a number > 0');
  return {
    ...(max !== undefined ? { max_input_elements: max } : {}),
    ...(ratio !== undefined ? { output_elements_per_input_element: ratio } : {}),
  };
}

function parseTiling(value: unknown, config: ParsedModelConfig): TilingConfig {
  if (!isObject(value)) throw new Error('tiling must be an object');
  const { tile, overlap, scale } = value;
  if (!isCount(tile) || tile < 8) throw new Error('tiling.tile must be an integer ≥ 8');
  if (!isCount(overlap) || 2 * overlap >= tile)
    throw new Error('tiling.overlap must be an integer ≥ 0 and less than half of tiling.tile');
  if (!isCount(scale) || scale < 1) throw new Error('tiling.scale must be an integer ≥ 1');
  const [input, output] = [config.input, config.output];
  const rank = config.max_batch_size > 0 ? 3 : 4; // the image's [N,] H, W, C
  if (
    input.length !== 1 ||
    output.length !== 1 ||
    input[0].data_type !== 'FP32' ||
    output[0].data_type !== 'FP32' ||
    input[0].dims.length !== rank ||
    output[0].dims.length !== rank
  )
    throw new Error('tiling needs one FP32 NHWC image input and one FP32 NHWC image output');
  return { tile, overlap, scale };
}

function tensors(value: unknown, field: 'input' | 'output'): TensorConfig[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new Error(`${field} must be a non-empty array`);
  const seen = new Set<string>();
  return value.map((t: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(t)) throw new Error(`${at} must be an object`);
    if (typeof t.name !== 'string' || t.name === '') throw new Error(`${at}.name must be a string`);
    if (seen.has(t.name)) throw new Error(`${at}.name '${t.name}' is repeated`);
    seen.add(t.name);
    if (!isDatatype(t.data_type))
      throw new Error(`${at}.data_type ${JSON.stringify(t.data_type)} is not a supported datatype`);
    const dims = t.dims;
    if (
      !Array.isArray(dims) ||
      !dims.every((d) => d === -1 || (Number.isSafeInteger(d) && (d as number) >= 1))
    )
      throw new Error(`${at}.dims must be an array of positive integers or -1`);
    return { name: t.name, data_type: t.data_type, dims: dims as number[] };
  });
}

/** The shape a client sees: a leading -1 batch dimension when the model batches. */
export function publicShape(config: ModelConfig, tensor: TensorConfig): number[] {
  return config.max_batch_size > 0 ? [-1, ...tensor.dims] : [...tensor.dims];
}
