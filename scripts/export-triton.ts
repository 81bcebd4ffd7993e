/**
 * `npm run export:triton` — turns our model repository (server/model-repository/<model>/config.json,
 * the configs our own v2 endpoint serves) into a Triton Inference Server model repository:
 *
 *   <out>/<model>/config.pbtxt   the same config in Triton's protobuf text format (ModelConfig)
 *   <out>/<model>/1/model.onnx   the model, copied and checked against public/models/manifest.json
 *
 * The result can be served by `tritonserver --model-repository=<out>` or by KServe's
 * kserve-tritonserver runtime (storageUri pointing at a copy of <out>); see docs/DEPLOY.md.
 *
 * Options: --repository <dir> (default server/model-repository), --out <dir> (default
 * deploy/triton-repository), --manifest <file> (default public/models/manifest.json), --gpu
 * (instance_group KIND_GPU instead of KIND_CPU), --instances <n> (instance count, default 1).
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** Open Inference Protocol v2 tensor datatypes, as written in our config.json files. */
const DATA_TYPES = {
  BOOL: 'TYPE_BOOL',
  UINT8: 'TYPE_UINT8',
  UINT16: 'TYPE_UINT16',
  UINT32: 'TYPE_UINT32',
  UINT64: 'TYPE_UINT64',
  INT8: 'TYPE_INT8',
  INT16: 'TYPE_INT16',
  INT32: 'TYPE_INT32',
  INT64: 'TYPE_INT64',
  FP16: 'TYPE_FP16',
  FP32: 'TYPE_FP32',
  FP64: 'TYPE_FP64',
  BF16: 'TYPE_BF16',
  // The v2 protocol calls strings BYTES; Triton's model config calls them TYPE_STRING.
  BYTES: 'TYPE_STRING',
} as const;

export type DataType = keyof typeof DATA_TYPES;
export type TritonDataType = (typeof DATA_TYPES)[DataType];

export interface TensorConfig {
  name: string;
  data_type: DataType;
  /** Without the batch dimension when max_batch_size > 0; -1 = any size. */
  dims: number[];
}

export interface ModelConfig {
  name: string;
  platform: 'onnxruntime_onnx';
  /** Relative to the folder of config.json (default 1/model.onnx, as the endpoint has it). */
  model_file: string;
  max_batch_size: number;
  dynamic_batching?: { max_queue_delay_microseconds: number; preferred_batch_size?: number[] };
  /** Requests waiting before new ones are refused (default 64, as the endpoint has it). */
  max_queue_size?: number;
  input: TensorConfig[];
  output: TensorConfig[];
}

export interface PbtxtOptions {
  /** instance_group kind: KIND_GPU when true, KIND_CPU otherwise. */
  gpu?: boolean;
  /** instance_group count (default 1). */
  instances?: number;
  /** A line for the header comment, e.g. where the config came from. */
  source?: string;
}

export interface ExportOptions {
  /** Folder of <model>/config.json (default server/model-repository). */
  repository?: string;
  /** Triton repository to write (default deploy/triton-repository). */
  out?: string;
  /** manifest.json with sha256 of the models (default public/models/manifest.json); null = none. */
  manifest?: string | null;
  gpu?: boolean;
  instances?: number;
}

export interface ExportedModel {
  name: string;
  config: ModelConfig;
  /** Absolute paths. */
  configPath: string;
  sourcePath: string;
  pbtxtPath: string;
  modelPath: string;
  bytes: number;
  sha256: string;
  /** True when the model is listed in the manifest (and its sha256 matched). */
  verified: boolean;
  /** Things the Triton config cannot express or that the reader should know. */
  notes: string[];
}

export interface ExportResult {
  out: string;
  models: ExportedModel[];
}

/** Thrown for anything the user has to fix (bad config, missing file, hash mismatch). */
export class ExportError extends Error {
  override name = 'ExportError';
}

const DEFAULT_REPOSITORY = 'server/model-repository';
const DEFAULT_OUT = 'deploy/triton-repository';
const DEFAULT_MANIFEST = 'public/models/manifest.json';
/** The endpoint's defaults for fields a config.json may leave out (server/src/config.ts). */
const DEFAULT_MODEL_FILE = '1/model.onnx';
const DEFAULT_MAX_QUEUE_SIZE = 64;
/** Triton requires the config's name to equal the folder name; keep it a plain path segment. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInt(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
}

/**
 * Validates a parsed config.json. `where` names the file in error messages. Throws ExportError
 * listing every problem found, not only the first.
 */
export function validateConfig(raw: unknown, where: string): ModelConfig {
  const problems: string[] = [];
  if (!isObject(raw)) throw new ExportError(`${where}: expected a JSON object`);
  const c = raw;
  if (typeof c.name !== 'string' || !NAME_RE.test(c.name))
    problems.push(`"name" must be a non-empty string of letters, digits, ".", "_" or "-"`);
  if (c.platform !== 'onnxruntime_onnx')
    problems.push(`"platform" must be "onnxruntime_onnx" (got ${JSON.stringify(c.platform)})`);
  if (c.model_file !== undefined && (typeof c.model_file !== 'string' || c.model_file === ''))
    problems.push(`"model_file" must be a path relative to the config's folder`);
  if (!isInt(c.max_batch_size, 0)) problems.push(`"max_batch_size" must be an integer >= 0`);
  const maxBatch = isInt(c.max_batch_size, 0) ? c.max_batch_size : 0;

  if (c.dynamic_batching !== undefined) {
    const db = c.dynamic_batching;
    if (!isObject(db)) problems.push(`"dynamic_batching" must be an object`);
    else {
      if (
        db.max_queue_delay_microseconds !== undefined &&
        !isInt(db.max_queue_delay_microseconds, 0)
      )
        problems.push(`"dynamic_batching.max_queue_delay_microseconds" must be an integer >= 0`);
      if (db.preferred_batch_size !== undefined) {
        const p = db.preferred_batch_size;
        if (!Array.isArray(p) || !p.every((n) => isInt(n, 1) && n <= maxBatch))
          problems.push(
            `"dynamic_batching.preferred_batch_size" must be integers in [1, max_batch_size = ${maxBatch}]`,
          );
      }
      if (maxBatch === 0)
        problems.push(
          `"dynamic_batching" needs "max_batch_size" > 0 (Triton cannot batch otherwise)`,
        );
    }
  }
  if (c.max_queue_size !== undefined && !isInt(c.max_queue_size, 1))
    problems.push(`"max_queue_size" must be an integer >= 1`);

  for (const key of ['input', 'output'] as const) {
    const list = c[key];
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`"${key}" must be a non-empty array`);
      continue;
    }
    const seen = new Set<string>();
    list.forEach((t: unknown, i) => {
      const at = `"${key}[${i}]"`;
      if (!isObject(t)) return problems.push(`${at} must be an object`);
      if (typeof t.name !== 'string' || t.name === '') problems.push(`${at}.name must be a string`);
      else if (seen.has(t.name)) problems.push(`${at}.name "${t.name}" appears twice`);
      else seen.add(t.name);
      if (typeof t.data_type !== 'string' || !(t.data_type in DATA_TYPES))
        problems.push(
          `${at}.data_type must be one of ${Object.keys(DATA_TYPES).join(', ')} (got ${JSON.stringify(t.data_type)})`,
        );
      if (!Array.isArray(t.dims) || !t.dims.every((d) => d === -1 || isInt(d, 1)))
        problems.push(`${at}.dims must be an array of sizes >= 1 or -1 (any size)`);
    });
  }
  if (problems.length > 0)
    throw new ExportError(`${where}: invalid model config:\n  - ${problems.join('\n  - ')}`);
  const config = { ...c } as unknown as ModelConfig;
  config.model_file ??= DEFAULT_MODEL_FILE;
  config.max_queue_size ??= DEFAULT_MAX_QUEUE_SIZE;
  if (config.dynamic_batching)
    config.dynamic_batching = {
      ...config.dynamic_batching,
      max_queue_delay_microseconds: config.dynamic_batching.max_queue_delay_microseconds ?? 0,
    };
  return config;
}

/** Reads and validates <dir>/config.json; also checks that its name matches the folder. */
export function readConfig(configPath: string): ModelConfig {
  if (!existsSync(configPath)) throw new ExportError(`${configPath}: config.json not found`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (e) {
    throw new ExportError(`${configPath}: not valid JSON (${(e as Error).message})`);
  }
  const config = validateConfig(raw, configPath);
  const folder = dirname(configPath).split(/[\\/]/).pop();
  if (config.name !== folder)
    throw new ExportError(
      `${configPath}: "name" is "${config.name}" but the folder is "${folder}"; Triton needs them equal`,
    );
  return config;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function list(values: readonly number[]): string {
  return `[ ${values.join(', ')} ]`;
}

/**
 * The config in Triton's protobuf text format (a subset of ModelConfig from Triton's
 * model_config.proto). Our top-level `max_queue_size` becomes
 * dynamic_batching.default_queue_policy.max_queue_size: Triton's request queue belongs to the
 * dynamic batcher, so a model without dynamic batching has no queue limit there.
 */
export function toPbtxt(config: ModelConfig, options: PbtxtOptions = {}): string {
  const lines: string[] = [
    '# Generated by `npm run export:triton`; edit the source, not this file.',
  ];
  if (options.source) lines.push(`# Source: ${options.source.replace(/[\r\n]+/g, ' ')}`);
  lines.push(
    `name: ${quote(config.name)}`,
    `platform: ${quote(config.platform)}`,
    `max_batch_size: ${config.max_batch_size}`,
  );
  for (const key of ['input', 'output'] as const) {
    lines.push(`${key} [`);
    config[key].forEach((t, i) => {
      lines.push(
        '  {',
        `    name: ${quote(t.name)}`,
        `    data_type: ${DATA_TYPES[t.data_type]}`,
        `    dims: ${list(t.dims)}`,
        i === config[key].length - 1 ? '  }' : '  },',
      );
    });
    lines.push(']');
  }
  const db = config.dynamic_batching;
  if (db) {
    lines.push('dynamic_batching {');
    if (db.preferred_batch_size?.length)
      lines.push(`  preferred_batch_size: ${list(db.preferred_batch_size)}`);
    lines.push(`  max_queue_delay_microseconds: ${db.max_queue_delay_microseconds}`);
    if (config.max_queue_size !== undefined)
      lines.push('  default_queue_policy {', `    max_queue_size: ${config.max_queue_size}`, '  }');
    lines.push('}');
  }
  lines.push(
    'instance_group [',
    '  {',
    `    kind: ${options.gpu ? 'KIND_GPU' : 'KIND_CPU'}`,
    `    count: ${options.instances ?? 1}`,
    '  }',
    ']',
  );
  return lines.join('\n') + '\n';
}

interface ManifestEntry {
  id: string;
  files?: { onnx?: string };
  sha256?: { onnx?: string };
}

/** Absolute model path → expected sha256, for the models the manifest lists. */
function readManifest(path: string): Map<string, { id: string; sha256: string }> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ExportError(`${path}: cannot read the model manifest (${(e as Error).message})`);
  }
  if (!isObject(raw) || !Array.isArray(raw.models))
    throw new ExportError(`${path}: expected { "models": [...] }`);
  const byPath = new Map<string, { id: string; sha256: string }>();
  for (const m of raw.models as ManifestEntry[]) {
    if (m?.files?.onnx && m.sha256?.onnx)
      byPath.set(resolve(dirname(path), m.files.onnx), { id: m.id, sha256: m.sha256.onnx });
  }
  return byPath;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes the Triton repository; see the file comment. Throws ExportError on bad input. */
export function exportTriton(options: ExportOptions = {}): ExportResult {
  const repository = resolve(options.repository ?? DEFAULT_REPOSITORY);
  const out = resolve(options.out ?? DEFAULT_OUT);
  const instances = options.instances ?? 1;
  if (!isInt(instances, 1)) throw new ExportError(`--instances must be an integer >= 1`);
  if (!existsSync(repository) || !statSync(repository).isDirectory())
    throw new ExportError(`${repository}: model repository folder not found`);
  const within = (parent: string, child: string) => {
    const r = relative(parent, child);
    return r === '' || (!r.startsWith('..') && !isAbsolute(r));
  };
  if (within(repository, out) || within(out, repository))
    throw new ExportError(`--out (${out}) must not overlap --repository (${repository})`);

  let manifest = new Map<string, { id: string; sha256: string }>();
  let manifestPath: string | null = null;
  if (options.manifest !== null) {
    manifestPath = resolve(options.manifest ?? DEFAULT_MANIFEST);
    if (existsSync(manifestPath)) manifest = readManifest(manifestPath);
    else if (options.manifest !== undefined)
      throw new ExportError(`${manifestPath}: manifest not found`);
    else manifestPath = null;
  }

  const folders = readdirSync(repository, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  if (folders.length === 0) throw new ExportError(`${repository}: no model folders found`);

  // Read and validate everything before writing anything.
  const planned = folders.map((folder) => {
    const configPath = join(repository, folder, 'config.json');
    const config = readConfig(configPath);
    const sourcePath = resolve(dirname(configPath), config.model_file);
    if (!existsSync(sourcePath) || !statSync(sourcePath).isFile())
      throw new ExportError(
        `${configPath}: model_file "${config.model_file}" not found (looked at ${sourcePath}); run \`npm run models\`?`,
      );
    return { configPath, config, sourcePath };
  });

  mkdirSync(out, { recursive: true });
  const models: ExportedModel[] = [];
  for (const { configPath, config, sourcePath } of planned) {
    const dir = join(out, config.name);
    rmSync(dir, { recursive: true, force: true }); // no stale versions or files from earlier runs
    mkdirSync(join(dir, '1'), { recursive: true });
    const modelPath = join(dir, '1', 'model.onnx');
    copyFileSync(sourcePath, modelPath);
    const bytes = readFileSync(modelPath);
    const digest = sha256(bytes);
    const notes: string[] = [];
    const listed = manifest.get(sourcePath);
    if (listed && listed.sha256 !== digest) {
      rmSync(dir, { recursive: true, force: true });
      throw new ExportError(
        `${config.name}: sha256 of ${displayPath(sourcePath)} is ${digest}, but ` +
          `${displayPath(manifestPath!)} lists ${listed.sha256} for "${listed.id}". ` +
          `The model file was changed or corrupted; rebuild it with \`npm run models\`.`,
      );
    }
    if (!listed) notes.push(manifestPath ? 'not in manifest: sha256 unchecked' : 'no manifest');
    if (config.max_queue_size !== undefined && !config.dynamic_batching)
      notes.push(
        `max_queue_size ${config.max_queue_size} dropped (Triton queues need dynamic batching)`,
      );
    const pbtxtPath = join(dir, 'config.pbtxt');
    const source = displayPath(configPath);
    writeFileSync(
      pbtxtPath,
      toPbtxt(config, { gpu: options.gpu, instances, source: source.split('\\').join('/') }),
    );
    models.push({
      name: config.name,
      config,
      configPath,
      sourcePath,
      pbtxtPath,
      modelPath,
      bytes: bytes.length,
      sha256: digest,
      verified: Boolean(listed),
      notes,
    });
  }
  return { out, models };
}

/** Relative to the working directory when inside it, absolute otherwise. */
function displayPath(path: string): string {
  const r = relative(process.cwd(), path);
  return r === '' ? '.' : r.startsWith('..') || isAbsolute(r) ? path : r;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function shape(t: TensorConfig, maxBatch: number): string {
  const dims = (maxBatch > 0 ? [-1, ...t.dims] : t.dims).map((d) => (d === -1 ? '?' : String(d)));
  return `${t.name} ${t.data_type}[${dims.join(',')}]`;
}

export function summary(result: ExportResult): string {
  const rows = [['model', 'max_batch', 'inputs', 'outputs', 'batching', 'size', 'sha256', 'notes']];
  for (const m of result.models) {
    const c = m.config;
    const db = c.dynamic_batching;
    rows.push([
      m.name,
      String(c.max_batch_size),
      c.input.map((t) => shape(t, c.max_batch_size)).join('; '),
      c.output.map((t) => shape(t, c.max_batch_size)).join('; '),
      db
        ? `dynamic ${db.max_queue_delay_microseconds}µs` +
          (c.max_queue_size !== undefined ? ` queue ${c.max_queue_size}` : '')
        : 'none',
      `${(m.bytes / 1024).toFixed(0)} KiB`,
      `${m.sha256.slice(0, 12)}${m.verified ? ' ok' : ''}`,
      m.notes.join('; '),
    ]);
  }
  return table(rows);
}

const USAGE = `Usage: npm run export:triton -- [--repository <dir>] [--out <dir>] [--manifest <file>] [--gpu] [--instances <n>]

Writes a Triton Inference Server model repository (<model>/config.pbtxt + <model>/1/model.onnx)
from our model repository. Defaults: --repository ${DEFAULT_REPOSITORY}, --out ${DEFAULT_OUT},
--manifest ${DEFAULT_MANIFEST}. --gpu puts the instances on GPUs (KIND_GPU) instead of CPUs.`;

function main(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        repository: { type: 'string' },
        out: { type: 'string' },
        manifest: { type: 'string' },
        gpu: { type: 'boolean', default: false },
        instances: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const result = exportTriton({
      repository: values.repository,
      out: values.out,
      manifest: values.manifest,
      gpu: values.gpu,
      instances: values.instances === undefined ? undefined : Number(values.instances),
    });
    console.log(summary(result));
    console.log(
      `\nWrote ${result.models.length} models (${values.gpu ? 'KIND_GPU' : 'KIND_CPU'}) to ` +
        `${displayPath(result.out)}; serve it with ` +
        `tritonserver --model-repository=<that folder> (see docs/DEPLOY.md).`,
    );
    return 0;
  } catch (e) {
    if (e instanceof ExportError) {
      console.error(`export:triton: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
