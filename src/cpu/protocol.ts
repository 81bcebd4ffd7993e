import type { Band } from './bands';
import type { Lut } from '../effects/lut/lut';
import type { ParamValues } from '../effects/params';
import type { ScopeData } from '../scopes/compute';

/** One band of one effect. `pixels` holds the band's input rows (with halo) and is transferred. */
export interface BandRequest {
  effect: string;
  params: ParamValues;
  frame: number;
  width: number;
  fullHeight: number;
  band: Band;
  pixels: ArrayBuffer;
  /** Tables the stage refers to (3D LUTs), by id. */
  luts: Lut[];
}

export interface BandResult {
  band: Band;
  /** The band's output rows, including halo rows (the caller crops them); transferred back. */
  pixels: ArrayBuffer;
}

/** A (downscaled) frame for the scopes; `pixels` is transferred. */
export interface ScopesRequest {
  width: number;
  height: number;
  pixels: ArrayBuffer;
  columns: number;
}

/**
 * The CPU worker's API (workers/cpu.worker.ts implements it). Every call is typed; pixels cross
 * as transferables.
 */
export interface CpuWorkerApi {
  runBand(request: BandRequest): BandResult;
  /** Histogram, waveform, parade and vectorscope; arrays transferred back. */
  scopes(request: ScopesRequest): ScopeData;
  /** Returns the buffer it was sent (transferred both ways): proves transfers really move. */
  echo(buffer: ArrayBuffer): ArrayBuffer;
  /** Returns a copy of what it was sent (structured clone both ways): the transfer baseline. */
  echoCopy(buffer: ArrayBuffer): ArrayBuffer;
  /** Fault injection for the pool's tests: throws outside any call (the worker "crashes"). */
  crash(): Promise<never>;
  /** Fault injection for the pool's tests: spins forever (the worker "hangs"). */
  hang(): never;
}
