/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { runBand } from '../src/cpu/bands';
import type { BandRequest, BandResult, CpuWorkerApi, ScopesRequest } from '../src/cpu/protocol';
import { findEffect } from '../src/effects/catalogue';
import { computeScopes, type ScopeData } from '../src/scopes/compute';

/** The CPU worker's API (its protocol: src/cpu/protocol.ts). */
const api: CpuWorkerApi = {
  runBand(request: BandRequest): BandResult {
    const effect = findEffect(request.effect);
    if (!effect) throw new Error(`unknown effect "${request.effect}"`);
    const { band, width } = request;
    const height = band.bottom + band.haloBottom - (band.top - band.haloTop);
    const input = { width, height, data: new Uint8ClampedArray(request.pixels) };
    if (input.data.length !== width * height * 4) {
      throw new Error(
        `band of ${width}×${height} needs ${width * height * 4} bytes, got ${input.data.length}`,
      );
    }
    const luts = new Map(request.luts.map((l) => [l.id, l]));
    const env = { lut: (id: string) => luts.get(id) };
    const out = runBand(
      effect,
      input,
      band,
      request.fullHeight,
      request.params,
      { index: request.frame },
      env,
    );
    return Comlink.transfer({ band, pixels: out.data.buffer }, [out.data.buffer]);
  },

  /** Histogram, waveform, parade and vectorscope of a (downscaled) frame; arrays transferred back. */
  scopes(request: ScopesRequest): ScopeData {
    const { width, height, pixels, columns } = request;
    const data = computeScopes({ width, height, data: new Uint8ClampedArray(pixels) }, columns);
    const buffers = [
      data.histogram.buffer,
      data.waveform.buffer,
      data.parade.buffer,
      data.vectorscope.buffer,
    ];
    return Comlink.transfer(data, buffers);
  },

  /** Returns the buffer it was sent (transferred both ways): proves transfers really move. */
  echo(buffer: ArrayBuffer): ArrayBuffer {
    return Comlink.transfer(buffer, [buffer]);
  },

  /** Returns a copy of what it was sent (structured clone both ways): the transfer baseline. */
  echoCopy(buffer: ArrayBuffer): ArrayBuffer {
    return buffer;
  },

  // ---- fault injection for the pool's tests ------------------------------------------------

  /** Throws an uncaught error outside any call: the worker "crashes". */
  crash(): Promise<never> {
    setTimeout(() => {
      throw new Error('injected crash');
    });
    return new Promise(() => {});
  },

  /** Spins forever: the worker "hangs". */
  hang(): never {
    for (;;) {
      // busy
    }
  },
};

Comlink.expose(api);
