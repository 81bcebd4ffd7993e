// A guarded still's frame on a real device (Dawn in Node): it runs on the image set when it was
// asked for, though the next image is set while its guard check is read back (the triad
// command's batch sets each image and starts its frame at once).
import { describe, expect, it } from 'vitest';
import { createImage } from '../core/image';
import { EMPTY_CHAIN } from '../effects/chain';
import { dawnContext } from '../gpu/dawn-context.test-support';
import { Engine } from './engine';

const context = dawnContext();

const flat = (width: number, value: number) => {
  const image = createImage(width, 8);
  for (let i = 0; i < image.data.length; i += 4) image.data.set([value, value, value, 255], i);
  return image;
};

describe('a guarded still', () => {
  it('renders the image set when its frame was asked for, not the one set during its check', async () => {
    const engine = new Engine(context(), { lut: () => undefined });
    engine.guardsStills = true;
    engine.inFlightLimit = () => 2;
    engine.setSource(flat(16, 40));
    const first = engine.renderToImage(EMPTY_CHAIN, { index: 0 });
    engine.setSource(flat(24, 200)); // while the first frame's guard check is on the GPU
    const second = engine.renderToImage(EMPTY_CHAIN, { index: 1 });
    const [a, b] = await Promise.all([first, second]);
    expect([a.width, a.data[0]]).toEqual([16, 40]);
    expect([b.width, b.data[0]]).toEqual([24, 200]);
    engine.destroy();
  });
});
