// The device pack's entry (scripts/device/pack.mjs bundles it): `triad bench --effects` on a
// machine with a GPU and no Node install, no network — the frame arrives decoded beside it
// (sharp does not travel), the rest is the command's own code.
//   ./node bench-effects.mjs [--adapter vulkan|opengles|auto] [--frames 30] [--warmup 3]
//                            [--cases REGEX] [--out FILE]
import '../../src/gpu/dawn-node'; // first: the WebGPU globals the engine's modules use
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { benchEffects } from '../../src/cli/bench';
import type { AdapterChoice } from '../../src/cli/gpu';
import { EFFECT_BENCH_SIZE } from '../../src/perf/effect-bench';

const { values } = parseArgs({
  options: {
    adapter: { type: 'string', default: 'vulkan' },
    frames: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    cases: { type: 'string', default: '.' },
    out: { type: 'string', default: 'effects-node.json' },
  },
});
const [width, height] = EFFECT_BENCH_SIZE;
const raw = gunzipSync(readFileSync(new URL('./frame.rgba.gz', import.meta.url)));
const { file, results } = await benchEffects(
  {
    adapter: values.adapter as AdapterChoice,
    frames: Number(values.frames),
    warmup: Number(values.warmup),
    only: new RegExp(values.cases),
    out: values.out,
    source: { width, height, data: new Uint8ClampedArray(raw) },
  },
  (line) => console.log(line),
);
console.log(`${results.length} cases → ${file}`);
process.exit(0); // Dawn's instance would keep Node alive
