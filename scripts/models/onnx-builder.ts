// A small builder for ONNX graphs (protobuf through onnx-proto): nodes, float initializers, and
// the model wrapper. Only what the converters here need.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const OPSET = 13;

export type Attr = number | number[] | string | string[];

function attribute(name: string, value: Attr): InstanceType<typeof onnx.AttributeProto> {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string')
    return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(value) });
  if (typeof value === 'number') return onnx.AttributeProto.create({ name, type: A.INT, i: value });
  if (value.every((v) => typeof v === 'number'))
    return onnx.AttributeProto.create({ name, type: A.INTS, ints: value as number[] });
  return onnx.AttributeProto.create({
    name,
    type: A.STRINGS,
    strings: (value as string[]).map((v) => new TextEncoder().encode(v)),
  });
}

export class GraphBuilder {
  readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  #count = 0;

  /** Adds a node; returns the name of its (first) output. */
  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}, name?: string): string {
    const id = name ?? `${op}_${this.#count++}`;
    const output = `${id}:0`;
    this.nodes.push(
      onnx.NodeProto.create({
        name: id,
        opType: op,
        input: inputs,
        output: [output],
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return output;
  }

  /** A float32 constant tensor. */
  floats(name: string, dims: number[], values: Float32Array): string {
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      }),
    );
    return name;
  }

  /** An int64 constant tensor. */
  ints(name: string, values: number[]): string {
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [values.length],
        dataType: onnx.TensorProto.DataType.INT64,
        int64Data: values,
      }),
    );
    return name;
  }
}

export interface TensorInfo {
  name: string;
  /** Numbers, or names for dimensions that vary. */
  shape: (number | string)[];
}

function valueInfo(info: TensorInfo): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name: info.name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: info.shape.map((d) =>
            typeof d === 'number'
              ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
              : onnx.TensorShapeProto.Dimension.create({ dimParam: d }),
          ),
        }),
      }),
    }),
  });
}

/** Serializes a graph as an ONNX model (IR 7, opset 13). */
export function encodeModel(
  graph: GraphBuilder,
  name: string,
  inputs: TensorInfo[],
  outputs: TensorInfo[],
  docString: string,
): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'triad scripts/models',
    producerVersion: '1',
    docString,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: OPSET })],
    graph: onnx.GraphProto.create({
      name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: inputs.map(valueInfo),
      output: outputs.map(valueInfo),
    }),
  });
  return onnx.ModelProto.encode(model).finish();
}
