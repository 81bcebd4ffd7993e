import type { StageInfo, TargetInfo } from '../types';
import type { Scenario } from './simulator';

/** The seven targets of the app, as the simulator models them. */
export const TARGETS: TargetInfo[] = [
  { id: 'gpu', device: 'gpu', location: 'gpu' },
  { id: 'ort-webgpu', device: 'gpu', location: 'gpu', accelerator: true },
  { id: 'tfjs-webgpu', device: 'gpu', location: 'gpu', accelerator: true },
  { id: 'cpu', device: 'cpu', location: 'cpu' },
  { id: 'ort-wasm', device: 'cpu', location: 'cpu' },
  { id: 'webnn', device: 'npu', location: 'npu', accelerator: true },
  { id: 'remote', device: 'remote', location: 'remote', accelerator: true },
];

/** Transfer times for a 1080p frame between memories (ms), 'from>to'. */
export const TRANSFERS: Record<string, number> = {
  'gpu>cpu': 4,
  'cpu>gpu': 2,
  'cpu>remote': 6,
  'remote>cpu': 6,
  'gpu>remote': 9,
  'remote>gpu': 8,
  'cpu>npu': 1,
  'npu>cpu': 1,
  'gpu>npu': 5,
  'npu>gpu': 3,
  'npu>remote': 7,
  'remote>npu': 7,
};

function scenario(
  name: string,
  source: string,
  sink: string,
  stages: [kind: string, costs: Record<string, number>][],
): Scenario {
  const cost: Scenario['cost'] = {};
  const infos: StageInfo[] = stages.map(([kind, costs]) => {
    cost[kind] = costs;
    return { kind, targets: Object.keys(costs) };
  });
  return { name, targets: TARGETS, stages: infos, cost, transfer: TRANSFERS, source, sink };
}

/** Workloads the scheduler is tested on: the three named in the plan, and more. */
export const SCENARIOS: Scenario[] = [
  scenario('video edit + render', 'cpu', 'cpu', [
    ['decode', { cpu: 6 }],
    ['colour', { gpu: 3, cpu: 14 }],
    ['blur', { gpu: 8, cpu: 40 }],
    ['lut', { gpu: 3, cpu: 10 }],
    ['grain', { gpu: 2, cpu: 9 }],
    ['encode', { cpu: 10 }],
  ]),
  scenario('3D preview + AI upscale', 'gpu', 'gpu', [
    ['render3d', { gpu: 10 }],
    ['upscale', { 'ort-webgpu': 30, 'tfjs-webgpu': 36, 'ort-wasm': 120, remote: 14, webnn: 25 }],
    ['sharpen', { gpu: 2, cpu: 15 }],
  ]),
  scenario('AI batch inference', 'cpu', 'cpu', [
    ['preprocess', { cpu: 6, gpu: 2 }],
    ['model', { 'ort-webgpu': 20, 'ort-wasm': 60, remote: 9, webnn: 15 }],
    ['postprocess', { cpu: 4, gpu: 2 }],
  ]),
  scenario('balanced effects', 'gpu', 'gpu', [
    ['a', { gpu: 10, cpu: 12 }],
    ['b', { gpu: 10, cpu: 12 }],
    ['c', { gpu: 10, cpu: 12 }],
    ['d', { gpu: 10, cpu: 12 }],
  ]),
  scenario('GPU-bound with CPU help', 'gpu', 'gpu', [
    ['e1', { gpu: 5, cpu: 20 }],
    ['e2', { gpu: 5, cpu: 20 }],
    ['e3', { gpu: 5, cpu: 20 }],
    ['e4', { gpu: 5, cpu: 20 }],
    ['e5', { gpu: 5, cpu: 20 }],
    ['e6', { gpu: 5, cpu: 20 }],
  ]),
  scenario('background replacement via the remote endpoint', 'gpu', 'gpu', [
    ['segment', { remote: 5, 'ort-webgpu': 40, 'ort-wasm': 90, webnn: 30 }],
    ['composite', { gpu: 3, cpu: 12 }],
    ['blur', { gpu: 6, cpu: 30 }],
  ]),
];

/**
 * This machine's 3D preview at two frames in flight, as the scheduler cannot see it: a software
 * GPU, ort-wasm, the CPU pool and a local endpoint on the same cores (`contention`), rendering
 * (`render` ms) → upscale on ort-wasm or the endpoint → two light effects. The model, learning
 * each stage's time while other stages crowd it, can prefer a split that runs slower.
 */
export function sharedCores(p: {
  wasm: number;
  remote: number;
  crowding: number;
  render: number;
  link: number;
}): Scenario {
  const s = scenario(`shared cores ${JSON.stringify(p)}`, 'gpu', 'gpu', [
    ['render3d', { gpu: p.render }],
    ['upscale', { 'ort-wasm': p.wasm, remote: p.remote }],
    ['vignette', { gpu: 20, cpu: 30 }],
    ['grain', { gpu: 30, cpu: 25 }],
  ]);
  return {
    ...s,
    transfer: { ...TRANSFERS, 'gpu>remote': p.link, 'remote>gpu': p.link },
    contention: { resources: ['gpu', 'cpu', 'remote'], factor: p.crowding },
  };
}

/**
 * The targets as the app declares them: ort-wasm computes on the CPU's cores but composites on
 * the GPU side, so a chain on the GPU leaves it only for a CPU effect (src/engine/placer.ts).
 */
const APP_TARGETS: TargetInfo[] = [
  { id: 'gpu', device: 'gpu', location: 'gpu' },
  { id: 'cpu', device: 'cpu', location: 'cpu' },
  { id: 'ort-wasm', device: 'cpu', location: 'gpu' },
  { id: 'remote', device: 'remote', location: 'remote', accelerator: true },
];

/**
 * This machine's video edit at two frames in flight, as the scheduler cannot see it: effects
 * with CPU twins about as fast as their GPU kernels, background blur on ort-wasm or the endpoint,
 * a software GPU sharing the cores, and every move off the GPU costing the GPU `readback` ms the
 * transfers do not show. The model prefers a CPU effect between GPU effects that runs slower.
 */
export function hiddenReadback(p: { readback: number; crowding: number; cpu: number }): Scenario {
  const s = scenario(`hidden readback ${JSON.stringify(p)}`, 'gpu', 'gpu', [
    ['colour', { gpu: 30, cpu: 30 * p.cpu }],
    ['blur', { gpu: 12, cpu: 60 }],
    ['lut', { gpu: 20, cpu: 20 * p.cpu }],
    ['segment', { 'ort-wasm': 45, remote: 90 }],
    ['grain', { gpu: 27, cpu: 27 * p.cpu }],
  ]);
  return {
    ...s,
    targets: APP_TARGETS,
    contention: { resources: ['gpu', 'cpu'], factor: p.crowding },
    readback: p.readback,
  };
}
