// ComputeKernel.compile on a real device (Dawn in Node): code the app did not write, built once.
import { describe, expect, it } from 'vitest';
import { GPU_EFFECTS } from '../effects/gpu';
import { ComputeKernel } from './compute-kernel';
import { dawnContext } from './dawn-context.test-support';

const context = dawnContext();

const invert = GPU_EFFECTS.flatMap((g) => g.kernels).find((k) => k.label.includes('invert'))!;

describe('ComputeKernel.compile', () => {
  it('builds a kernel asked for twice at once a single time (the editor and the chain’s stage)', async () => {
    const device = context().device;
    const spec = { ...invert, label: 'Triad.test.asked-twice' };
    let pipelines = 0;
    const create = device.createComputePipelineAsync.bind(device);
    device.createComputePipelineAsync = (descriptor) => {
      pipelines++;
      return create(descriptor);
    };
    try {
      const [a, b] = await Promise.all([
        ComputeKernel.compile(device, spec),
        ComputeKernel.compile(device, spec),
      ]);
      expect(a.kernel).not.toBeNull();
      expect(b.kernel).not.toBeNull();
      expect(pipelines).toBe(1);
      // Built: a later call takes it from the cache.
      expect((await ComputeKernel.compile(device, spec)).kernel).not.toBeNull();
      expect(pipelines).toBe(1);
    } finally {
      device.createComputePipelineAsync = create;
    }
  });

  it('code that does not compile gives both callers its messages and no kernel, and may be asked again', async () => {
    const device = context().device;
    const spec = { ...invert, label: 'Triad.test.broken', code: `${invert.code}\nfn broken( {` };
    const both = await Promise.all([
      ComputeKernel.compile(device, spec),
      ComputeKernel.compile(device, spec),
    ]);
    for (const { kernel, messages } of both) {
      expect(kernel).toBeNull();
      expect(messages.some((m) => m.type === 'error')).toBe(true);
    }
    const again = await ComputeKernel.compile(device, spec);
    expect(again.messages.some((m) => m.type === 'error')).toBe(true);
    expect(context().counters.errors).toBe(0); // reported through the messages, not as the page's error
  });
});
