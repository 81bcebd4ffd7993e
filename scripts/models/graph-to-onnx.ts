// Converts a TensorFlow.js graph model (a frozen TensorFlow graph, NHWC) to ONNX: NCHW inside,
// NHWC at the edges. Supported ops: Placeholder, Const (float32, float16-quantized or int32),
// Conv2D, DepthwiseConv2dNative, Conv2DBackpropInput, Add, AddV2, AddN, Mul, Relu, Relu6,
// Sigmoid, AvgPool, ResizeBilinear. Anything else is an error naming the node.
import { GraphBuilder, encodeModel, type TensorInfo } from './onnx-builder';

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string; b?: boolean; i?: string; list?: { i?: string[] } }>;
}

export interface GraphModelJson {
  modelTopology: { node: TfNode[] };
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string } }[];
  }[];
}

interface Constant {
  shape: number[];
  floats?: Float32Array;
  ints?: Int32Array;
}

/** IEEE half → float. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

export function readGraphWeights(model: GraphModelJson, data: ArrayBuffer): Map<string, Constant> {
  const out = new Map<string, Constant>();
  let offset = 0;
  for (const group of model.weightsManifest) {
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (w.quantization?.dtype === 'float16') {
        const halves = new Uint16Array(data.slice(offset, offset + n * 2));
        out.set(w.name, { shape: w.shape, floats: Float32Array.from(halves, halfToFloat) });
        offset += n * 2;
      } else if (w.quantization) {
        throw new Error(`weight ${w.name}: ${w.quantization.dtype} quantization is not supported`);
      } else if (w.dtype === 'float32') {
        out.set(w.name, {
          shape: w.shape,
          floats: new Float32Array(data.slice(offset, offset + n * 4)),
        });
        offset += n * 4;
      } else if (w.dtype === 'int32') {
        out.set(w.name, {
          shape: w.shape,
          ints: new Int32Array(data.slice(offset, offset + n * 4)),
        });
        offset += n * 4;
      } else throw new Error(`weight ${w.name}: dtype ${w.dtype} is not supported`);
    }
  }
  if (offset !== data.byteLength)
    throw new Error(`weights use ${offset} bytes of ${data.byteLength}`);
  return out;
}

const decode = (s?: string) => (s ? Buffer.from(s, 'base64').toString('latin1') : '');
const ints = (attr?: { list?: { i?: string[] } }) => (attr?.list?.i ?? []).map(Number);

/**
 * TensorFlow filters [H, W, A, B] → ONNX [B, A, H, W]: for Conv2D (A in, B out) that is
 * [out, in, H, W]; for Conv2DBackpropInput (A out, B in) it is [in, out, H, W], what ConvTranspose
 * wants. With `depthwise`, [H, W, C, M] → [C·M, 1, H, W].
 */
function filterToOnnx(c: Constant, depthwise = false): { dims: number[]; values: Float32Array } {
  const [h, w, a, b] = c.shape;
  const src = c.floats!;
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let i = 0; i < a; i++)
        for (let o = 0; o < b; o++) {
          const v = src[((y * w + x) * a + i) * b + o];
          if (depthwise) out[((i * b + o) * h + y) * w + x] = v;
          else out[((o * a + i) * h + y) * w + x] = v;
        }
  if (depthwise) return { dims: [a * b, 1, h, w], values: out };
  return { dims: [b, a, h, w], values: out };
}

export function convertGraphModel(
  model: GraphModelJson,
  data: ArrayBuffer,
  name: string,
  doc: string,
  io: { input: TensorInfo; output: TensorInfo; outputNode: string },
): Uint8Array {
  const weights = readGraphWeights(model, data);
  const g = new GraphBuilder();
  const tensors = new Map<string, string>();
  const nodes = model.modelTopology.node;
  const ref = (input: string) => input.replace(/^\^/, '').replace(/:0$/, '');

  /** A constant used by an elementwise op: NHWC-broadcastable [C] becomes NCHW [C, 1, 1]. */
  const elementwiseConst = (key: string): string => {
    const c = weights.get(key)!;
    let dims = c.shape;
    if (dims.length === 1) dims = [dims[0], 1, 1];
    else if (dims.length === 4) dims = [dims[0], dims[3], dims[1], dims[2]];
    return g.floats(`${key}/nchw`, dims, c.floats!);
  };
  const operand = (input: string): string => {
    const key = ref(input);
    if (tensors.has(key)) return tensors.get(key)!;
    if (weights.has(key)) return elementwiseConst(key);
    throw new Error(`input ${input} is not available`);
  };

  for (const node of nodes) {
    const a = node.attr ?? {};
    const inputs = node.input ?? [];
    const stridesHW = () => {
      const s = ints(a.strides);
      return [s[1], s[2]];
    };
    const autoPad = () => {
      const p = decode(a.padding?.s);
      if (p === 'SAME') return 'SAME_UPPER';
      if (p === 'VALID') return 'VALID';
      throw new Error(`node ${node.name}: padding ${p} is not supported`);
    };
    if (decode(a.data_format?.s) && decode(a.data_format?.s) !== 'NHWC') {
      throw new Error(`node ${node.name}: data format ${decode(a.data_format?.s)}`);
    }
    let out: string | null = null;
    switch (node.op) {
      case 'Const':
        continue; // read from the weights when used
      case 'Placeholder':
        out = g.node('Transpose', [io.input.name], { perm: [0, 3, 1, 2] }, `${node.name}_to_nchw`);
        break;
      case 'Conv2D':
      case 'DepthwiseConv2dNative': {
        const depthwise = node.op === 'DepthwiseConv2dNative';
        const filter = weights.get(ref(inputs[1]))!;
        const { dims, values } = filterToOnnx(filter, depthwise);
        const attrs: Record<string, number | number[] | string> = {
          kernel_shape: [dims[2], dims[3]],
          strides: stridesHW(),
          auto_pad: autoPad(),
          dilations: [ints(a.dilations)[1] ?? 1, ints(a.dilations)[2] ?? 1],
        };
        if (depthwise) attrs.group = filter.shape[2];
        out = g.node(
          'Conv',
          [operand(inputs[0]), g.floats(`${node.name}/W`, dims, values)],
          attrs,
          node.name,
        );
        break;
      }
      case 'Conv2DBackpropInput': {
        const sizes = weights.get(ref(inputs[0]))!.ints!; // NHWC output size
        const filter = weights.get(ref(inputs[1]))!;
        const { dims, values } = filterToOnnx(filter);
        const [kh, kw] = [filter.shape[0], filter.shape[1]];
        const [sh, sw] = stridesHW();
        const x = inputs[2];
        // Explicit pads reproduce TensorFlow's SAME for the output size it was given.
        const pad = (out: number, k: number, s: number) => {
          const inSize = Math.ceil(out / s);
          const total = Math.max((inSize - 1) * s + k - out, 0);
          return [Math.floor(total / 2), total - Math.floor(total / 2)];
        };
        const [pt, pb] = autoPad() === 'VALID' ? [0, 0] : pad(sizes[1], kh, sh);
        const [pl, pr] = autoPad() === 'VALID' ? [0, 0] : pad(sizes[2], kw, sw);
        out = g.node(
          'ConvTranspose',
          [operand(x), g.floats(`${node.name}/W`, dims, values)],
          { kernel_shape: [kh, kw], strides: [sh, sw], pads: [pt, pl, pb, pr] },
          node.name,
        );
        break;
      }
      case 'Add':
      case 'AddV2':
        out = g.node('Add', [operand(inputs[0]), operand(inputs[1])], {}, node.name);
        break;
      case 'AddN':
        out = inputs
          .slice(1)
          .reduce((acc, x) => g.node('Add', [acc, operand(x)]), operand(inputs[0]));
        break;
      case 'Mul':
        out = g.node('Mul', [operand(inputs[0]), operand(inputs[1])], {}, node.name);
        break;
      case 'Relu':
        out = g.node('Relu', [operand(inputs[0])], {}, node.name);
        break;
      case 'Relu6': {
        const lo = g.floats(`${node.name}/min`, [], new Float32Array([0]));
        const hi = g.floats(`${node.name}/max`, [], new Float32Array([6]));
        out = g.node('Clip', [operand(inputs[0]), lo, hi], {}, node.name);
        break;
      }
      case 'Sigmoid':
        out = g.node('Sigmoid', [operand(inputs[0])], {}, node.name);
        break;
      case 'AvgPool': {
        const k = ints(a.ksize);
        out = g.node(
          'AveragePool',
          [operand(inputs[0])],
          { kernel_shape: [k[1], k[2]], strides: stridesHW(), auto_pad: autoPad() },
          node.name,
        );
        break;
      }
      case 'ResizeBilinear': {
        if (!a.half_pixel_centers?.b || a.align_corners?.b) {
          throw new Error(
            `node ${node.name}: only half-pixel-centre bilinear resizing is supported`,
          );
        }
        const size = weights.get(ref(inputs[1]))!.ints!;
        const x = operand(inputs[0]);
        // sizes = [N, C] of the input, then the new [H, W].
        const shape = g.node('Shape', [x]);
        const nc = g.node('Slice', [
          shape,
          g.ints(`${node.name}/start`, [0]),
          g.ints(`${node.name}/end`, [2]),
        ]);
        const sizes = g.node('Concat', [nc, g.ints(`${node.name}/hw`, [size[0], size[1]])], {
          axis: 0,
        });
        out = g.node(
          'Resize',
          [x, '', '', sizes],
          { mode: 'linear', coordinate_transformation_mode: 'half_pixel' },
          node.name,
        );
        break;
      }
      default:
        throw new Error(`node ${node.name}: op ${node.op} is not supported by this converter`);
    }
    tensors.set(node.name, out);
  }
  const last = tensors.get(io.outputNode);
  if (!last) throw new Error(`output node ${io.outputNode} not found`);
  g.node('Transpose', [last], { perm: [0, 2, 3, 1] }, 'output_to_nhwc');
  g.nodes[g.nodes.length - 1].output = [io.output.name];
  return encodeModel(g, name, [io.input], [io.output], doc);
}
