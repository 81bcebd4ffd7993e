// Which paths the uploader will try, on a real compatibility-mode device (Dawn in Node, as the app
// on lavapipe) and on a core one.
import { describe, expect, it } from 'vitest';
import { dawnContext } from './dawn-context.test-support';
import type { GpuContext } from './device';
import { FrameUploader, NOT_ON_COMPATIBILITY } from './upload-frame';

const compatibility = dawnContext();
const core = { adapter: { featureLevel: 'core' } } as unknown as GpuContext;

describe('FrameUploader', () => {
  it('uses only copyTo on a compatibility-mode adapter, and says why not the others', () => {
    expect(compatibility().adapter.featureLevel).toBe('compatibility');
    const uploader = new FrameUploader(compatibility());
    expect(Object.fromEntries(uploader.failures)).toEqual({
      importExternalTexture: NOT_ON_COMPATIBILITY,
      copyExternalImageToTexture: NOT_ON_COMPATIBILITY,
    });
  });

  it('tries every path on a core adapter, and a forced path on any', () => {
    expect(new FrameUploader(core).failures.size).toBe(0);
    const forced = new FrameUploader(compatibility(), 'importExternalTexture');
    expect([...forced.failures.keys()]).toEqual(['copyExternalImageToTexture']);
  });
});
