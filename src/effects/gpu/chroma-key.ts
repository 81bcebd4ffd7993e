import code from '../../../shaders/chroma-key.wgsl?raw';
import { chromaKeyUniforms, type Params } from '../defs/chroma-key';
import { singlePassEffect } from './gpu-effect';

export const chromaKeyGpu = singlePassEffect<Params>(
  'chroma-key',
  { label: 'Triad.chroma-key', code, inputs: 1, uniformWords: 8 },
  (u, p) => {
    const k = chromaKeyUniforms(p);
    u.f32(k.cb, k.cr, k.dirB, k.dirR, k.lo, k.hi, k.spill, k.matte);
  },
);
