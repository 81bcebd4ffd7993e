import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WgslReflect } from 'wgsl_reflect';
import { EFFECTS } from '../effects';
import { GPU_EFFECTS } from '../effects/gpu';
import {
  FILL_KERNEL,
  FROM_TENSOR_KERNEL,
  LETTERBOX_KERNEL,
  MASK_COMPOSITE_KERNEL,
} from '../ml/ops-gpu';
import { RESIZE_KERNELS } from '../ml/resize-gpu';
import { SCENE_KERNEL } from '../scene/scene-renderer';
import { kernelSource, type KernelSpec } from './compute-kernel';
import { GUARD_ROWS_KERNEL } from './texture-guard';

/** Every kernel a `ComputeKernel` owns, by label. */
const KERNELS = new Map<string, KernelSpec>(
  [
    ...GPU_EFFECTS.flatMap((g) => g.kernels),
    FILL_KERNEL,
    FROM_TENSOR_KERNEL,
    LETTERBOX_KERNEL,
    MASK_COMPOSITE_KERNEL,
    ...Object.values(RESIZE_KERNELS),
    SCENE_KERNEL,
    GUARD_ROWS_KERNEL,
  ].map((k) => [k.label, k]),
);

const SHADERS = new URL('../../shaders/', import.meta.url);

describe('compute kernels and their WGSL', () => {
  it('every shader that relies on the prelude is owned by a listed kernel', () => {
    const preluded = readdirSync(SHADERS)
      .filter((f) => f.endsWith('.wgsl') && f !== 'prelude.wgsl')
      .map((f) => readFileSync(new URL(f, SHADERS), 'utf8'))
      .filter((code) => !code.includes('@binding(0)'));
    expect(preluded.length).toBeGreaterThanOrEqual(18);
    const owned = new Set([...KERNELS.values()].map((k) => k.code));
    expect(preluded.filter((code) => !owned.has(code)).map((c) => c.split('\n')[0])).toEqual([]);
  });

  for (const [label, spec] of KERNELS) {
    it(`${label}: the uniform block is the size of its Params struct; bindings as dispatched`, () => {
      const reflect = new WgslReflect(kernelSource(spec));
      const params = reflect.uniforms.find((u) => u.name === 'params');
      expect(params, 'the prelude binds `params` at 1').toMatchObject({ group: 0, binding: 1 });
      expect(params!.size).toBe(spec.uniformWords * 4);
      // Inputs at 2…, then storage buffers: what `ComputeKernel.dispatch` binds.
      const textures = reflect.textures.filter((t) => t.binding >= 2).map((t) => t.binding);
      expect(textures.sort()).toEqual([...Array(spec.inputs)].map((_, i) => 2 + i));
      const storage = reflect.storage.filter((s) => s.binding >= 2).map((s) => s.binding);
      expect(storage.sort()).toEqual(
        [...Array(spec.storageBuffers ?? 0)].map((_, j) => 2 + spec.inputs + j),
      );
    });
  }
});

describe('effects and their GPU side', () => {
  it('each pixel effect has exactly one GPU side, and each GPU side an effect', () => {
    const effects = EFFECTS.map((e) => e.id).sort();
    expect(GPU_EFFECTS.map((g) => g.effect).sort()).toEqual(effects);
  });
});
