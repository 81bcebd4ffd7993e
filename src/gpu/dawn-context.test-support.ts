// For unit tests: one GpuContext on a real device (Dawn in Node) for a test file's tests.
import { afterAll, beforeAll } from 'vitest';
import { dawnGpu } from './dawn-node';
import { GpuContext } from './device';

/**
 * Creates the context before the file's tests and destroys it after them; returns a getter for
 * it (valid inside tests). Compatibility mode, as the app on lavapipe; errors and losses ignored.
 */
export function dawnContext(): () => GpuContext {
  let gpu: GpuContext | null = null;
  beforeAll(async () => {
    gpu = await GpuContext.create(
      { compatibility: true, gpu: dawnGpu() },
      () => {},
      () => {},
    );
  });
  afterAll(() => {
    gpu?.device.destroy();
  });
  return () => gpu!;
}
