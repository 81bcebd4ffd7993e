// What a request may cost, checked before the model runs: the inputs' elements against the
// model's budget (413), and each output asked for in JSON against the most a JSON answer may
// carry (400: ask for binary). JSON numbers take 10-20 bytes each and are encoded on the event
// loop, so a ×4 image of 800×800 in JSON (30 M numbers) once stalled every other request for 14 s
// and then failed ("Invalid string length").
import type { ParsedModelConfig, TensorConfig } from './config.ts';
import { HttpError } from './errors.ts';
import { elementCount } from './protocol/datatypes.ts';
import type { InferRequest } from './validate.ts';

export interface CostLimits {
  /** Input elements per request when the model's config sets none. */
  maxInputElements: number;
  /** Elements one output may have in a JSON answer. */
  maxJsonElements: number;
}

export const DEFAULT_COST_LIMITS: CostLimits = {
  maxInputElements: 16 * 1024 * 1024,
  maxJsonElements: 1024 * 1024,
};

const BINARY_HINT =
  'ask for it in binary (parameters.binary_data_output: true, or binary_data: true on the output)';

/** Throws 413 when the inputs are over budget, 400 when a JSON output would be too large. */
export function checkCost(
  request: InferRequest,
  config: ParsedModelConfig,
  limits: CostLimits,
): void {
  const inputs = request.inputs.reduce((n, t) => n + elementCount(t.shape), 0);
  const budget = config.cost?.max_input_elements ?? limits.maxInputElements;
  if (inputs > budget)
    throw new HttpError(
      413,
      `request has ${inputs} input elements; model '${config.name}' takes at most ${budget} per request (split the input into tiles, or raise cost.max_input_elements in its config)`,
    );
  for (const wanted of request.outputs) {
    if (wanted.binary) continue;
    const spec = config.output.find((t) => t.name === wanted.name)!;
    const elements = outputElements(request, config, spec, inputs);
    if (elements !== null && elements > limits.maxJsonElements)
      throw jsonTooLarge(wanted.name, elements, limits, 'would have');
  }
}

/** After the run, for outputs whose size the config could not foretell. */
export function checkJsonOutput(name: string, shape: readonly number[], limits: CostLimits): void {
  const elements = elementCount(shape);
  if (elements > limits.maxJsonElements) throw jsonTooLarge(name, elements, limits, 'has');
}

function jsonTooLarge(name: string, elements: number, limits: CostLimits, verb: string): HttpError {
  return new HttpError(
    400,
    `output '${name}' ${verb} ${elements} elements, more than the ${limits.maxJsonElements} a JSON answer may carry here; ${BINARY_HINT}`,
  );
}

/** The elements `spec` will have, from its fixed dims or the model's declared ratio; else null. */
function outputElements(
  request: InferRequest,
  config: ParsedModelConfig,
  spec: TensorConfig,
  inputElements: number,
): number | null {
  if (!spec.dims.includes(-1)) return request.batchSize * elementCount(spec.dims);
  const ratio = config.cost?.output_elements_per_input_element;
  return ratio === undefined ? null : Math.ceil(inputElements * ratio);
}
