// Tiny ONNX models and temporary model repositories for the server tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { Datatype } from '../src/protocol/datatypes.ts';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

export const ONNX_TYPE: Record<Datatype, number> = {
  BOOL: T.BOOL,
  UINT8: T.UINT8,
  UINT16: T.UINT16,
  UINT32: T.UINT32,
  UINT64: T.UINT64,
  INT8: T.INT8,
  INT16: T.INT16,
  INT32: T.INT32,
  INT64: T.INT64,
  FP16: T.FLOAT16,
  FP32: T.FLOAT,
  FP64: T.DOUBLE,
  BYTES: T.STRING,
};

/** A value of `type` and `shape`; strings name dimensions that vary. */
function valueInfo(name: string, type: Datatype, shape: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: ONNX_TYPE[type],
        shape: onnx.TensorShapeProto.create({
          dim: shape.map((d) =>
            typeof d === 'number'
              ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
              : onnx.TensorShapeProto.Dimension.create({ dimParam: d }),
          ),
        }),
      }),
    }),
  });
}

interface Graph {
  nodes: InstanceType<typeof onnx.NodeProto>[];
  initializers?: InstanceType<typeof onnx.TensorProto>[];
  inputs: InstanceType<typeof onnx.ValueInfoProto>[];
  outputs: InstanceType<typeof onnx.ValueInfoProto>[];
}

function encode(graph: Graph): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'triad server tests',
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })],
      graph: onnx.GraphProto.create({
        name: 'test',
        node: graph.nodes,
        initializer: graph.initializers ?? [],
        input: graph.inputs,
        output: graph.outputs,
      }),
    }),
  ).finish();
}

/** y = Identity(x), both of `type` and `shape`. */
export function identityModel(type: Datatype, shape: (number | string)[]): Uint8Array {
  return encode({
    nodes: [onnx.NodeProto.create({ opType: 'Identity', input: ['x'], output: ['y'] })],
    inputs: [valueInfo('x', type, shape)],
    outputs: [valueInfo('y', type, shape)],
  });
}

/** Two outputs: y = x and z = -x (FP32). */
export function pairModel(shape: (number | string)[]): Uint8Array {
  return encode({
    nodes: [
      onnx.NodeProto.create({ opType: 'Identity', input: ['x'], output: ['y'] }),
      onnx.NodeProto.create({ opType: 'Neg', input: ['x'], output: ['z'] }),
    ],
    inputs: [valueInfo('x', 'FP32', shape)],
    outputs: [valueInfo('y', 'FP32', shape), valueInfo('z', 'FP32', shape)],
  });
}

/**
 * A deliberately slow model: `layers` MatMuls of x [rows, width] by one width × width matrix
 * (the identity scaled by 1, so values stay put). Cost grows with rows × width² × layers.
 */
export function slowModel(width: number, layers: number): Uint8Array {
  const eye = new Float32Array(width * width);
  for (let i = 0; i < width; i++) eye[i * width + i] = 1;
  const nodes = [];
  let prev = 'x';
  for (let i = 0; i < layers; i++) {
    const out = i === layers - 1 ? 'y' : `h${i}`;
    nodes.push(onnx.NodeProto.create({ opType: 'MatMul', input: [prev, 'w'], output: [out] }));
    prev = out;
  }
  return encode({
    nodes,
    initializers: [
      onnx.TensorProto.create({
        name: 'w',
        dims: [width, width],
        dataType: T.FLOAT,
        rawData: new Uint8Array(eye.buffer),
      }),
    ],
    inputs: [valueInfo('x', 'FP32', ['rows', width])],
    outputs: [valueInfo('y', 'FP32', ['rows', width])],
  });
}

export interface RepoModel {
  /** config.json contents; `name` is filled in from the key. */
  config: Record<string, unknown>;
  /** Written to <name>/1/model.onnx unless the config points elsewhere; omit for none. */
  model?: Uint8Array;
}

export interface TempRepository {
  dir: string;
  remove(): void;
}

/** Writes a model repository into a fresh temporary folder. */
export function makeRepository(models: Record<string, RepoModel>): TempRepository {
  const dir = mkdtempSync(join(tmpdir(), 'triad-repo-'));
  for (const [name, { config, model }] of Object.entries(models)) {
    mkdirSync(join(dir, name, '1'), { recursive: true });
    writeFileSync(
      join(dir, name, 'config.json'),
      JSON.stringify({ name, platform: 'onnxruntime_onnx', ...config }),
    );
    if (model) writeFileSync(join(dir, name, '1', 'model.onnx'), model);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** config.json for an identity model of `type` with input x / output y. */
export function identityConfig(
  type: Datatype,
  dims: number[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    max_batch_size: 0,
    input: [{ name: 'x', data_type: type, dims }],
    output: [{ name: 'y', data_type: type, dims }],
    ...extra,
  };
}
