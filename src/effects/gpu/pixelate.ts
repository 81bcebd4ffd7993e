import code from '../../../shaders/pixelate.wgsl?raw';
import { singlePassEffect } from './gpu-effect';

export const pixelateGpu = singlePassEffect<{ block: number }>(
  'pixelate',
  { label: 'Triad.pixelate', code, inputs: 1, uniformWords: 4 },
  (u, p, io) => {
    u.u32(p.block);
    // One invocation per block, not per pixel.
    return [Math.ceil(io.output.width / p.block), Math.ceil(io.output.height / p.block)];
  },
);
