import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExportError,
  exportTriton,
  toPbtxt,
  validateConfig,
  type ExportResult,
  type ModelConfig,
} from './export-triton';

const ROOT = new URL('../', import.meta.url).pathname;
const REPOSITORY = join(ROOT, 'server/model-repository');
const MANIFEST = join(ROOT, 'public/models/manifest.json');

// ---------------------------------------------------------------------------------------------
// A parser for the subset of the protobuf text format that config.pbtxt uses: fields
// `name: scalar`, `name: [ scalars ]`, `name { message }`, `name [ { message }, ... ]`, with
// strings, numbers, enum identifiers and # comments. Written independently of the exporter so
// that the test reads the file the way Triton would, not the way the exporter meant it.
// ---------------------------------------------------------------------------------------------

type Scalar = string | number | { enum: string };
type Value = Scalar | Message;
/** Every field is repeated here (a singular field is a one-element list). */
type Message = Map<string, Value[]>;

type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'punct'; text: '{' | '}' | '[' | ']' | ':' | ',' | ';' };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) i++;
    else if (ch === '#') while (i < src.length && src[i] !== '\n') i++;
    else if ('{}[]:,;'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch as '{' });
      i++;
    } else if (ch === '"' || ch === "'") {
      let text = '';
      i++;
      while (src[i] !== ch) {
        if (i >= src.length || src[i] === '\n') throw new SyntaxError('unterminated string');
        if (src[i] === '\\') {
          const esc = src[++i];
          text += esc === 'n' ? '\n' : esc === 't' ? '\t' : esc;
        } else text += src[i];
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text });
    } else if (/[-+0-9.]/.test(ch)) {
      const m = /^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+)/.exec(src.slice(i));
      if (!m) throw new SyntaxError(`bad number at ${i}`);
      tokens.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else throw new SyntaxError(`unexpected ${JSON.stringify(ch)} at ${i}`);
  }
  return tokens;
}

function parsePbtxt(src: string): Message {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const isPunct = (t: Token | undefined, p: string) => t?.kind === 'punct' && t.text === p;

  function scalar(): Scalar {
    const t = tokens[pos++];
    if (t?.kind === 'string') return t.text;
    if (t?.kind === 'number') return t.value;
    if (t?.kind === 'ident') return { enum: t.text };
    throw new SyntaxError(`expected a value at token ${pos - 1}, got ${JSON.stringify(t)}`);
  }

  function message(end: '}' | null): Message {
    const fields: Message = new Map();
    for (;;) {
      const t = peek();
      if (t === undefined) {
        if (end !== null) throw new SyntaxError(`missing "${end}"`);
        return fields;
      }
      if (end !== null && isPunct(t, end)) {
        pos++;
        return fields;
      }
      if (t.kind !== 'ident')
        throw new SyntaxError(`expected a field name, got ${JSON.stringify(t)}`);
      pos++;
      const values = fields.get(t.text) ?? [];
      fields.set(t.text, values);
      const colon = isPunct(peek(), ':');
      if (colon) pos++;
      if (isPunct(peek(), '{')) {
        pos++;
        values.push(message('}'));
      } else if (isPunct(peek(), '[')) {
        pos++;
        while (!isPunct(peek(), ']')) {
          if (isPunct(peek(), '{')) {
            pos++;
            values.push(message('}'));
          } else if (colon) values.push(scalar());
          else throw new SyntaxError(`field "${t.text}": a list of scalars needs ":"`);
          if (isPunct(peek(), ',')) pos++;
          else if (!isPunct(peek(), ']'))
            throw new SyntaxError(`expected "," or "]" in "${t.text}"`);
        }
        pos++;
      } else if (colon) values.push(scalar());
      else throw new SyntaxError(`field "${t.text}" has no value`);
      if (isPunct(peek(), ',') || isPunct(peek(), ';')) pos++;
    }
  }
  return message(null);
}

// Typed access to the parsed message; each throws when the field has the wrong shape.
function one(m: Message, field: string): Value | undefined {
  const v = m.get(field);
  if (v && v.length > 1) throw new Error(`field "${field}" appears ${v.length} times`);
  return v?.[0];
}
function str(m: Message, field: string): string | undefined {
  const v = one(m, field);
  if (v !== undefined && typeof v !== 'string') throw new Error(`"${field}" is not a string`);
  return v;
}
function num(m: Message, field: string): number | undefined {
  const v = one(m, field);
  if (v !== undefined && typeof v !== 'number') throw new Error(`"${field}" is not a number`);
  return v;
}
function enm(m: Message, field: string): string | undefined {
  const v = one(m, field);
  if (v !== undefined && !(typeof v === 'object' && 'enum' in v))
    throw new Error(`"${field}" is not an enum value`);
  return v?.enum;
}
function nums(m: Message, field: string): number[] {
  return (m.get(field) ?? []).map((v) => {
    if (typeof v !== 'number') throw new Error(`"${field}" has a non-number`);
    return v;
  });
}
function msgs(m: Message, field: string): Message[] {
  return (m.get(field) ?? []).map((v) => {
    if (!(v instanceof Map)) throw new Error(`"${field}" has a non-message`);
    return v;
  });
}

// ---------------------------------------------------------------------------------------------
// The check: a parsed config.pbtxt against the ONNX model's own metadata (onnxruntime-node).
// ---------------------------------------------------------------------------------------------

interface OnnxIo {
  name: string;
  type: string;
  /** Numbers for fixed dims, strings for symbolic ones (onnxruntime's own representation). */
  shape: readonly (number | string)[];
}
interface OnnxMetadata {
  inputs: OnnxIo[];
  outputs: OnnxIo[];
}

/** onnxruntime tensor type → Triton model-config DataType. */
const ORT_TO_TRITON: Record<string, string> = {
  float32: 'TYPE_FP32',
  float16: 'TYPE_FP16',
  float64: 'TYPE_FP64',
  bfloat16: 'TYPE_BF16',
  int8: 'TYPE_INT8',
  int16: 'TYPE_INT16',
  int32: 'TYPE_INT32',
  int64: 'TYPE_INT64',
  uint8: 'TYPE_UINT8',
  uint16: 'TYPE_UINT16',
  uint32: 'TYPE_UINT32',
  uint64: 'TYPE_UINT64',
  bool: 'TYPE_BOOL',
  string: 'TYPE_STRING',
};

async function onnxMetadata(path: string): Promise<OnnxMetadata> {
  const session = await ort.InferenceSession.create(path);
  try {
    const io = (list: readonly ort.InferenceSession.ValueMetadata[]): OnnxIo[] =>
      list.map((m) => {
        if (!m.isTensor) throw new Error(`${path}: ${m.name} is not a tensor`);
        return { name: m.name, type: m.type, shape: m.shape };
      });
    const meta = { inputs: io(session.inputMetadata), outputs: io(session.outputMetadata) };
    expect(meta.inputs.map((m) => m.name)).toEqual(session.inputNames);
    expect(meta.outputs.map((m) => m.name)).toEqual(session.outputNames);
    return meta;
  } finally {
    await session.release();
  }
}

/** Every way the config disagrees with the model; empty when Triton would accept the pair. */
function checkConfig(config: Message, onnx: OnnxMetadata): string[] {
  const problems: string[] = [];
  if (str(config, 'platform') !== 'onnxruntime_onnx')
    problems.push(`platform is ${str(config, 'platform')}, not onnxruntime_onnx`);
  const maxBatch = num(config, 'max_batch_size') ?? 0;
  if (!Number.isInteger(maxBatch) || maxBatch < 0) problems.push(`max_batch_size ${maxBatch}`);

  for (const [key, model] of [
    ['input', onnx.inputs],
    ['output', onnx.outputs],
  ] as const) {
    const tensors = msgs(config, key);
    const names = tensors.map((t) => str(t, 'name'));
    for (const m of model)
      if (!names.includes(m.name)) problems.push(`${key} "${m.name}" of the model is missing`);
    for (const t of tensors) {
      const name = str(t, 'name');
      const m = model.find((x) => x.name === name);
      if (!m) {
        problems.push(`${key} "${name}" is not an ${key} of the model`);
        continue;
      }
      const want = ORT_TO_TRITON[m.type];
      const got = enm(t, 'data_type');
      if (got !== want) problems.push(`${key} "${name}": data_type ${got}, model has ${m.type}`);

      const dims = nums(t, 'dims');
      let shape = [...m.shape];
      if (maxBatch > 0) {
        const batch = shape[0];
        if (batch === undefined) problems.push(`${key} "${name}": model has no batch dimension`);
        else if (typeof batch === 'number' && batch !== -1)
          problems.push(
            `${key} "${name}": model's batch dimension is fixed at ${batch}, so max_batch_size must be 0, not ${maxBatch}`,
          );
        shape = shape.slice(1);
      }
      if (dims.length !== shape.length) {
        problems.push(
          `${key} "${name}": dims [${dims}] (+ batch: ${maxBatch > 0}) vs model shape [${m.shape}]`,
        );
        continue;
      }
      dims.forEach((d, i) => {
        const s = shape[i];
        const symbolic = typeof s === 'string' || s === -1;
        if (symbolic ? d !== -1 : d !== s)
          problems.push(
            `${key} "${name}": dim ${i} is ${d}, model has ${symbolic ? `symbolic "${s}" (needs -1)` : s}`,
          );
      });
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

const sourceConfigs = new Map<string, ModelConfig>();
for (const name of ['esrgan-slim-x2', 'esrgan-slim-x4', 'selfie-segmentation'])
  sourceConfigs.set(
    name,
    JSON.parse(readFileSync(join(REPOSITORY, name, 'config.json'), 'utf8')) as ModelConfig,
  );

let tmp: string;
let result: ExportResult;
const metadata = new Map<string, OnnxMetadata>();

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'triad-triton-'));
  result = exportTriton({ repository: REPOSITORY, out: join(tmp, 'repo'), manifest: MANIFEST });
  for (const m of result.models) metadata.set(m.name, await onnxMetadata(m.sourcePath));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('export:triton', () => {
  it('exports every model of the repository, each verified against the manifest', () => {
    expect(result.models.map((m) => m.name)).toEqual([...sourceConfigs.keys()]);
    for (const m of result.models) {
      expect(m.pbtxtPath).toBe(join(tmp, 'repo', m.name, 'config.pbtxt'));
      expect(m.modelPath).toBe(join(tmp, 'repo', m.name, '1', 'model.onnx'));
      expect(m.verified).toBe(true);
    }
  });

  it.each([...sourceConfigs.keys()])('%s: config.pbtxt matches the ONNX model', (name) => {
    const config = parsePbtxt(readFileSync(join(tmp, 'repo', name, 'config.pbtxt'), 'utf8'));
    expect(str(config, 'name')).toBe(name);
    expect(checkConfig(config, metadata.get(name)!)).toEqual([]);
  });

  it.each([...sourceConfigs.keys()])('%s: config.pbtxt carries the source config', (name) => {
    const src = sourceConfigs.get(name)!;
    const config = parsePbtxt(readFileSync(join(tmp, 'repo', name, 'config.pbtxt'), 'utf8'));
    expect(num(config, 'max_batch_size')).toBe(src.max_batch_size);
    for (const key of ['input', 'output'] as const)
      expect(
        msgs(config, key).map((t) => ({
          name: str(t, 'name'),
          data_type: enm(t, 'data_type'),
          dims: nums(t, 'dims'),
        })),
      ).toEqual(src[key].map((t) => ({ ...t, data_type: `TYPE_${t.data_type}` })));
    const db = msgs(config, 'dynamic_batching');
    if (src.dynamic_batching) {
      expect(db).toHaveLength(1);
      expect(num(db[0], 'max_queue_delay_microseconds')).toBe(
        src.dynamic_batching.max_queue_delay_microseconds,
      );
      expect(nums(db[0], 'preferred_batch_size')).toEqual(
        src.dynamic_batching.preferred_batch_size ?? [],
      );
      const policy = msgs(db[0], 'default_queue_policy');
      expect(policy.map((p) => num(p, 'max_queue_size'))).toEqual(
        src.max_queue_size === undefined ? [] : [src.max_queue_size],
      );
    } else expect(db).toEqual([]);
    const groups = msgs(config, 'instance_group');
    expect(groups.map((g) => [enm(g, 'kind'), num(g, 'count')])).toEqual([['KIND_CPU', 1]]);
  });

  it('copies the model bytes unchanged', () => {
    for (const m of result.models)
      expect(readFileSync(m.modelPath).equals(readFileSync(m.sourcePath))).toBe(true);
  });

  it('reports a wrong input name, dtype or shape as a mismatch', () => {
    const good = sourceConfigs.get('esrgan-slim-x2')!;
    const meta = metadata.get('esrgan-slim-x2')!;
    const check = (c: ModelConfig) => checkConfig(parsePbtxt(toPbtxt(c)), meta);
    const input = good.input[0];
    expect(check(good)).toEqual([]);
    expect(check({ ...good, input: [{ ...input, name: 'image' }] })).toEqual([
      'input "input" of the model is missing',
      'input "image" is not an input of the model',
    ]);
    expect(check({ ...good, input: [{ ...input, data_type: 'FP16' }] })).toEqual([
      'input "input": data_type TYPE_FP16, model has float32',
    ]);
    expect(check({ ...good, output: [{ ...good.output[0], dims: [-1, -1, 4] }] })).toEqual([
      'output "output": dim 2 is 4, model has 3',
    ]);
    // Without batching, the dims must spell out the model's whole shape.
    expect(check({ ...good, max_batch_size: 0, dynamic_batching: undefined })).toHaveLength(2);
    // A model with a fixed batch of 1 cannot be given a max_batch_size.
    const selfie = sourceConfigs.get('selfie-segmentation')!;
    const fixed = checkConfig(
      parsePbtxt(
        toPbtxt({
          ...selfie,
          max_batch_size: 4,
          input: [{ ...selfie.input[0], dims: [256, 256, 3] }],
          output: [{ ...selfie.output[0], dims: [256, 256, 1] }],
        }),
      ),
      metadata.get('selfie-segmentation')!,
    );
    expect(fixed).toHaveLength(2);
    expect(fixed[0]).toMatch(/batch dimension is fixed at 1, so max_batch_size must be 0/);
  });

  it('writes KIND_GPU instances with --gpu', () => {
    const config = parsePbtxt(toPbtxt(sourceConfigs.get('esrgan-slim-x4')!, { gpu: true }));
    expect(msgs(config, 'instance_group').map((g) => enm(g, 'kind'))).toEqual(['KIND_GPU']);
  });

  it('the parser rejects malformed text', () => {
    expect(() => parsePbtxt('name: "x"\ninput [ { name: "a" ]')).toThrow(SyntaxError);
    expect(() => parsePbtxt('dynamic_batching { max_queue_delay_microseconds: }')).toThrow(
      SyntaxError,
    );
    expect(() => parsePbtxt('name: "unterminated')).toThrow(SyntaxError);
  });
});

describe('export:triton errors', () => {
  /** A scratch repository holding a copy of one model's config, edited by `edit`. */
  function scratch(edit: (config: Record<string, unknown>) => unknown): string {
    const repo = join(tmp, `bad-${Math.random().toString(36).slice(2)}`);
    const dir = join(repo, 'esrgan-slim-x2');
    mkdirSync(dir, { recursive: true });
    const config = {
      ...sourceConfigs.get('esrgan-slim-x2')!,
      model_file: join(ROOT, 'public/models/esrgan-slim-x2/model.onnx'),
    };
    const edited = edit(config as unknown as Record<string, unknown>) ?? config;
    writeFileSync(
      join(dir, 'config.json'),
      typeof edited === 'string' ? edited : JSON.stringify(edited),
    );
    return repo;
  }
  const run = (repository: string, manifest: string | null = MANIFEST) =>
    exportTriton({ repository, out: join(tmp, 'out-errors'), manifest });

  it('a missing repository or config', () => {
    expect(() => run(join(tmp, 'nope'))).toThrow(/model repository folder not found/);
    const repo = join(tmp, 'empty-model');
    mkdirSync(join(repo, 'm'), { recursive: true });
    expect(() => run(repo)).toThrow(/config\.json not found/);
  });

  it('invalid configs, with every problem listed', () => {
    expect(() => run(scratch(() => '{ "name": '))).toThrow(/not valid JSON/);
    expect(() =>
      run(
        scratch((c) => {
          c.platform = 'tensorflow_savedmodel';
          c.input = [{ name: 'input', data_type: 'FLOAT', dims: [0] }];
        }),
      ),
    ).toThrow(
      /"platform" must be "onnxruntime_onnx"[\s\S]*data_type must be one of[\s\S]*dims must be/,
    );
    expect(() => run(scratch((c) => void (c.name = 'other')))).toThrow(/folder is "esrgan/);
    expect(() => run(scratch((c) => void (c.max_batch_size = 2)))).toThrow(/preferred_batch_size/);
    expect(() => run(scratch((c) => void (c.model_file = 'missing.onnx')))).toThrow(
      /model_file "missing\.onnx" not found/,
    );
  });

  it('fills in the defaults the endpoint uses', () => {
    const c = validateConfig(
      {
        name: 'm',
        platform: 'onnxruntime_onnx',
        max_batch_size: 4,
        dynamic_batching: {},
        input: [{ name: 'x', data_type: 'FP32', dims: [-1] }],
        output: [{ name: 'y', data_type: 'FP32', dims: [-1] }],
      },
      'test',
    );
    expect(c.model_file).toBe('1/model.onnx');
    expect(c.max_queue_size).toBe(64);
    expect(c.dynamic_batching).toEqual({ max_queue_delay_microseconds: 0 });
  });

  it('a model whose sha256 differs from the manifest', () => {
    const dir = join(tmp, 'manifest');
    mkdirSync(dir, { recursive: true });
    cpSync(
      join(ROOT, 'public/models/esrgan-slim-x2/model.onnx'),
      join(dir, 'esrgan-slim-x2/model.onnx'),
      { recursive: true },
    );
    const manifest = join(dir, 'manifest.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        models: [
          {
            id: 'esrgan-slim-x2',
            files: { onnx: 'esrgan-slim-x2/model.onnx' },
            sha256: { onnx: '0'.repeat(64) },
          },
        ],
      }),
    );
    const repo = scratch((c) => void (c.model_file = join(dir, 'esrgan-slim-x2/model.onnx')));
    expect(() => run(repo, manifest)).toThrow(ExportError);
    expect(() => run(repo, manifest)).toThrow(/sha256 of .* lists 0{64}/);
    // Not listed in a manifest: exported, but marked unverified.
    const unlisted = run(repo, null);
    expect(unlisted.models[0].verified).toBe(false);
  });
});
