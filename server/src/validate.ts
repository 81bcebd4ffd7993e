// Checks an inference request against a model's config before anything runs: names, datatypes,
// shapes, JSON element counts, binary sizes and the binary framing. Every failure is a 400 whose
// message names the field.
import type { ParsedModelConfig, TensorConfig } from './config.ts';
import { badRequest } from './errors.ts';
import { decodeBinary, splitBody } from './protocol/binary.ts';
import { elementCount, elementSize, type Datatype, type TensorData } from './protocol/datatypes.ts';
import { decodeJson } from './protocol/json.ts';
import { parseJsonBody, preview } from './protocol/json-body.ts';

export interface InputTensor {
  name: string;
  datatype: Datatype;
  /** Full shape, batch dimension included when the model batches. */
  shape: number[];
  data: TensorData;
}

export interface RequestedOutput {
  name: string;
  binary: boolean;
}

export interface InferRequest {
  id?: string;
  /** In the model config's input order. */
  inputs: InputTensor[];
  /** In the order the response lists them. */
  outputs: RequestedOutput[];
  /** Rows along dimension 0 when the model batches, else 1. */
  batchSize: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
/** An absent field reads as {}; null does not (it is refused as "not an object"). */
const orEmpty = (v: unknown): unknown => (v === undefined ? {} : v);
const list = (names: string[]) => names.map((n) => `'${n}'`).join(', ');

export function parseInferRequest(
  body: Buffer,
  headerLength: string | string[] | undefined,
  config: ParsedModelConfig,
): InferRequest {
  const { json, binary } = splitBody(body, headerLength);
  if (json.length === 0) throw badRequest('request body is empty; expected a JSON object');
  const raw = parseJsonBody(json);
  if (!isObject(raw)) throw badRequest('request must be a JSON object');
  if (raw.id !== undefined && typeof raw.id !== 'string') throw badRequest('id must be a string');
  const params = orEmpty(raw.parameters);
  if (!isObject(params)) throw badRequest('parameters must be an object');
  const binaryOutput = params.binary_data_output === undefined ? false : params.binary_data_output;
  if (typeof binaryOutput !== 'boolean')
    throw badRequest('parameters.binary_data_output must be a boolean');

  if (!Array.isArray(raw.inputs) || raw.inputs.length === 0)
    throw badRequest('inputs must be a non-empty array');
  const batching = config.max_batch_size > 0;
  const byName = new Map<string, InputTensor>();
  let offset = 0;
  let batchSize = -1;
  raw.inputs.forEach((input: unknown, i) => {
    const at = `inputs[${i}]`;
    if (!isObject(input)) throw badRequest(`${at} must be an object`);
    if (typeof input.name !== 'string') throw badRequest(`${at}.name must be a string`);
    const spec = config.input.find((t) => t.name === input.name);
    if (!spec)
      throw badRequest(
        `${at}.name '${input.name.slice(0, 64)}' is not an input of model '${config.name}'; expected ${list(config.input.map((t) => t.name))}`,
      );
    if (byName.has(spec.name)) throw badRequest(`${at}.name '${spec.name}' is given twice`);
    if (input.datatype !== spec.data_type)
      throw badRequest(
        `${at}.datatype must be '${spec.data_type}' for input '${spec.name}', got ${preview(input.datatype)}`,
      );
    const shape = checkShape(input.shape, spec, config, at);
    if (batching) {
      if (batchSize !== -1 && shape[0] !== batchSize)
        throw badRequest(
          `${at}.shape[0] is ${shape[0]} but an earlier input has batch size ${batchSize}`,
        );
      batchSize = shape[0];
    }
    const count = elementCount(shape);
    if (Number.isNaN(count)) throw badRequest(`${at}.shape has too many elements`);
    const p = orEmpty(input.parameters);
    if (!isObject(p)) throw badRequest(`${at}.parameters must be an object`);
    let data: TensorData;
    if (p.binary_data_size !== undefined) {
      const size = p.binary_data_size;
      if (!Number.isSafeInteger(size) || (size as number) < 0)
        throw badRequest(`${at}.parameters.binary_data_size must be an integer ≥ 0`);
      if (headerLength === undefined)
        throw badRequest(
          `${at}.parameters.binary_data_size needs the Inference-Header-Content-Length header`,
        );
      if (input.data !== undefined)
        throw badRequest(`${at} has both data and parameters.binary_data_size`);
      const fixed = elementSize(spec.data_type);
      if (fixed > 0 && size !== count * fixed)
        throw badRequest(
          `${at}.parameters.binary_data_size is ${size} but shape [${shape}] of ${spec.data_type} needs ${count * fixed} bytes`,
        );
      if (offset + (size as number) > binary.length)
        throw badRequest(
          `${at}.parameters.binary_data_size ${size} runs past the end of the body (${binary.length - offset} binary bytes left)`,
        );
      data = decodeBinary(
        spec.data_type,
        binary.subarray(offset, offset + (size as number)),
        count,
        at,
      );
      offset += size as number;
    } else {
      if (input.data === undefined)
        throw badRequest(`${at} needs data or parameters.binary_data_size`);
      data = decodeJson(spec.data_type, input.data, count, shape.length, at);
    }
    byName.set(spec.name, { name: spec.name, datatype: spec.data_type, shape, data });
  });
  if (offset !== binary.length)
    throw badRequest(
      `body has ${binary.length} binary bytes after the JSON header but inputs' binary_data_size add up to ${offset}`,
    );
  const missing = config.input.filter((t) => !byName.has(t.name)).map((t) => t.name);
  if (missing.length > 0) throw badRequest(`missing input(s) ${list(missing)}`);

  return {
    ...(raw.id !== undefined ? { id: raw.id as string } : {}),
    inputs: config.input.map((t) => byName.get(t.name) as InputTensor),
    outputs: parseOutputs(raw.outputs, binaryOutput, config),
    batchSize: batching ? batchSize : 1,
  };
}

function checkShape(
  value: unknown,
  spec: TensorConfig,
  config: ParsedModelConfig,
  at: string,
): number[] {
  if (!Array.isArray(value)) throw badRequest(`${at}.shape must be an array`);
  const batching = config.max_batch_size > 0;
  const expected = batching ? [-1, ...spec.dims] : spec.dims;
  if (value.length !== expected.length)
    throw badRequest(
      `${at}.shape must have ${expected.length} dimensions [${expected}] for input '${spec.name}', got ${value.length}`,
    );
  value.forEach((d: unknown, k) => {
    if (!Number.isSafeInteger(d) || (d as number) < 1)
      throw badRequest(`${at}.shape[${k}] must be a positive integer, got ${preview(d)}`);
    if (expected[k] !== -1 && d !== expected[k])
      throw badRequest(
        `${at}.shape[${k}] must be ${expected[k]} (input '${spec.name}' dims [${expected}]), got ${d}`,
      );
  });
  if (batching && value[0] > config.max_batch_size)
    throw badRequest(
      `${at}.shape[0] is ${value[0]}, more than max_batch_size ${config.max_batch_size}`,
    );
  return value as number[];
}

function parseOutputs(
  value: unknown,
  binaryDefault: boolean,
  config: ParsedModelConfig,
): RequestedOutput[] {
  if (value === undefined)
    return config.output.map((t) => ({ name: t.name, binary: binaryDefault }));
  if (!Array.isArray(value)) throw badRequest('outputs must be an array');
  const seen = new Set<string>();
  return value.map((o: unknown, i) => {
    const at = `outputs[${i}]`;
    if (!isObject(o)) throw badRequest(`${at} must be an object`);
    if (typeof o.name !== 'string') throw badRequest(`${at}.name must be a string`);
    const spec = config.output.find((t) => t.name === o.name);
    if (!spec)
      throw badRequest(
        `${at}.name '${o.name.slice(0, 64)}' is not an output of model '${config.name}'; expected ${list(config.output.map((t) => t.name))}`,
      );
    if (seen.has(spec.name)) throw badRequest(`${at}.name '${spec.name}' is requested twice`);
    seen.add(spec.name);
    const p = orEmpty(o.parameters);
    if (!isObject(p)) throw badRequest(`${at}.parameters must be an object`);
    if (p.classification !== undefined)
      throw badRequest(`${at}.parameters.classification is not supported by this server`);
    const binary = p.binary_data === undefined ? binaryDefault : p.binary_data;
    if (typeof binary !== 'boolean')
      throw badRequest(`${at}.parameters.binary_data must be a boolean`);
    return { name: spec.name, binary };
  });
}
