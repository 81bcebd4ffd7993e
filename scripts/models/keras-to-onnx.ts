// Converts a TensorFlow.js layers model (Keras functional, channels-last) to ONNX (NCHW inside,
// NHWC at the edges so callers feed the same tensors as to the original). Supported layers:
// InputLayer, Conv2D (stride 1, 'same' or 'valid', linear or relu), Activation (relu, sigmoid),
// Add, Concatenate, UpSampling2D (nearest). Anything else is an error naming the layer.
import { GraphBuilder, encodeModel } from './onnx-builder';

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown> & { name: string };
  inbound_nodes?: [string, number, number, unknown][][];
}

export interface LayersModelJson {
  modelTopology: {
    model_config: {
      config: {
        layers: KerasLayer[];
        input_layers: [string, number, number][];
        output_layers: [string, number, number][];
      };
    };
  };
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: number[]; dtype: string }[];
  }[];
}

/** Splits the concatenated weight bytes by the manifest, in order. */
export function readWeights(
  model: LayersModelJson,
  data: ArrayBuffer,
): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  let offset = 0;
  for (const group of model.weightsManifest) {
    for (const w of group.weights) {
      if (w.dtype !== 'float32')
        throw new Error(`weight ${w.name}: dtype ${w.dtype} is not supported`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      out.set(w.name, {
        shape: w.shape,
        values: new Float32Array(data.slice(offset, offset + n * 4)),
      });
      offset += n * 4;
    }
  }
  if (offset !== data.byteLength)
    throw new Error(`weights use ${offset} bytes of ${data.byteLength}`);
  return out;
}

/** HWIO (TensorFlow) → OIHW (ONNX). */
function hwioToOihw(
  shape: number[],
  values: Float32Array,
): { dims: number[]; values: Float32Array } {
  const [h, w, i, o] = shape;
  const out = new Float32Array(values.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < i; c++)
        for (let k = 0; k < o; k++)
          out[((k * i + c) * h + y) * w + x] = values[((y * w + x) * i + c) * o + k];
  return { dims: [o, i, h, w], values: out };
}

export function convertLayersModel(
  model: LayersModelJson,
  data: ArrayBuffer,
  name: string,
  doc: string,
): Uint8Array {
  const weights = readWeights(model, data);
  const g = new GraphBuilder();
  const config = model.modelTopology.model_config.config;
  const outputOf = new Map<string, string>();
  const INPUT = 'input';
  for (const layer of config.layers) {
    const c = layer.config;
    const inputs = (layer.inbound_nodes?.[0] ?? []).map(([from]) => {
      const t = outputOf.get(from);
      if (!t) throw new Error(`layer ${c.name}: input ${from} is not computed yet`);
      return t;
    });
    const activation = (x: string, kind: unknown) => {
      if (kind === undefined || kind === 'linear') return x;
      if (kind === 'relu') return g.node('Relu', [x]);
      if (kind === 'sigmoid') return g.node('Sigmoid', [x]);
      throw new Error(`layer ${c.name}: activation ${String(kind)} is not supported`);
    };
    let out: string;
    switch (layer.class_name) {
      case 'InputLayer':
        out = g.node('Transpose', [INPUT], { perm: [0, 3, 1, 2] }, `${c.name}_to_nchw`);
        break;
      case 'Conv2D': {
        const strides = c.strides as number[];
        const dilation = (c.dilation_rate as number[]) ?? [1, 1];
        if (strides.some((s) => s !== 1) || dilation.some((d) => d !== 1)) {
          throw new Error(`layer ${c.name}: only stride 1, dilation 1 convolutions are supported`);
        }
        const kernel = weights.get(`${c.name}/kernel`);
        if (!kernel) throw new Error(`layer ${c.name}: no kernel weights`);
        const { dims, values } = hwioToOihw(kernel.shape, kernel.values);
        const [kh, kw] = [dims[2], dims[3]];
        const pads =
          c.padding === 'same' ? [(kh - 1) >> 1, (kw - 1) >> 1, kh >> 1, kw >> 1] : [0, 0, 0, 0];
        const convInputs = [inputs[0], g.floats(`${c.name}/W`, dims, values)];
        if (c.use_bias !== false) {
          const bias = weights.get(`${c.name}/bias`)!;
          convInputs.push(g.floats(`${c.name}/B`, bias.shape, bias.values));
        }
        out = activation(
          g.node('Conv', convInputs, { kernel_shape: [kh, kw], pads, strides: [1, 1] }, c.name),
          c.activation,
        );
        break;
      }
      case 'Activation':
        out = activation(inputs[0], c.activation);
        break;
      case 'Add':
        out = inputs.slice(1).reduce((acc, x) => g.node('Add', [acc, x]), inputs[0]);
        break;
      case 'Concatenate': {
        const axis = c.axis as number;
        // Channels-last axis 3 (or −1) is axis 1 in NCHW.
        if (axis !== 3 && axis !== -1)
          throw new Error(`layer ${c.name}: concatenation on axis ${axis}`);
        out = g.node('Concat', inputs, { axis: 1 }, c.name);
        break;
      }
      case 'UpSampling2D': {
        if (c.interpolation !== 'nearest')
          throw new Error(`layer ${c.name}: only nearest upsampling`);
        const [sh, sw] = c.size as number[];
        const scales = g.floats(`${c.name}/scales`, [4], new Float32Array([1, 1, sh, sw]));
        // Keras repeats each pixel: asymmetric coordinates, floor rounding.
        out = g.node(
          'Resize',
          [inputs[0], '', scales],
          {
            mode: 'nearest',
            coordinate_transformation_mode: 'asymmetric',
            nearest_mode: 'floor',
          },
          c.name,
        );
        break;
      }
      default:
        throw new Error(`layer ${c.name}: ${layer.class_name} is not supported by this converter`);
    }
    outputOf.set(c.name, out);
  }
  const [outName] = config.output_layers[0];
  g.node('Transpose', [outputOf.get(outName)!], { perm: [0, 2, 3, 1] }, 'output_to_nhwc');
  // The last node's output is renamed to the graph output.
  g.nodes[g.nodes.length - 1].output = ['output'];
  return encodeModel(
    g,
    name,
    [{ name: INPUT, shape: ['batch', 'height', 'width', 3] }],
    [{ name: 'output', shape: ['batch', 'out_height', 'out_width', 3] }],
    doc,
  );
}
