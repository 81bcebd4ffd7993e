import { HOST_TIMERS } from '../../session/timers';
import { findMlEffect, type Chain, type StageSpec } from '../../effects';
import type { Engine } from '../../engine';
import type { RgbaImage } from '../../core/image';
import type { GpuContext } from '../../gpu';
import { downloadBlob, encodePng, exportName } from '../../media';
import {
  EXPORT_FORMATS,
  type ExportOptions,
  type ExportResult,
} from '../../media/video/export-video';
import type { DeviceLifecycle } from '../../session/device';
import {
  exportThroughChain,
  type ExportHost as ExportThroughChainHost,
  type SourceMismatch,
} from '../../session/export';
import type { InFlightAdvice } from '../../session/placement';
import type { BusyState } from './busy.svelte';
import type { Notices } from './notices.svelte';
import type { VideoState } from './video.svelte';

/** What exporting needs of the app. */
export interface ExportHost {
  readonly notices: Notices;
  readonly busy: BusyState;
  readonly video: VideoState;
  readonly device: DeviceLifecycle;
  readonly chain: Chain;
  /** The engine on screen (a PNG is the frame on screen, through the chain). */
  readonly engine: Engine | null;
  readonly imageName: string | null;
  /** Frames in flight for an export of this chain and size (the planner's, where it has one). */
  inFlight(
    stages: readonly StageSpec[],
    size: { width: number; height: number },
    height: number | null,
    chainScale: number,
  ): { inFlight: number; advice: InFlightAdvice | null };
  /** An engine of the export's own, stages placed as the app places them. */
  createEngine(gpu: GpuContext, inFlight: number): Engine;
  /** Settles once the AI runtimes have moved to the current device. */
  mlReady(): Promise<void>;
  /**
   * The still image through the chain at full resolution, rendered once more on a new device
   * where the GPU held pixels nothing drew or was lost under it (`Session.renderImage`).
   */
  stillImage(chain: Chain): Promise<RgbaImage>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Says which frames were rendered again because the GPU held their source wrong. */
function rerenderedNote(mismatches: readonly SourceMismatch[]): string {
  if (mismatches.length === 0) return '';
  const frames = mismatches.map((m) => m.frame + 1).join(', ');
  const one = mismatches.length === 1;
  return ` The GPU returned wrong pixels for frame${one ? '' : 's'} ${frames}; ${one ? 'it was' : 'they were'} rendered again on a new GPU device.`;
}

/** Exports: the open video through the chain, or the frame on screen as a PNG. */
export class ExportState {
  /** Frames the running (or last) export renders at once. */
  inFlight = $state(1);
  /** What the planner answered when the export asked (null: it used the app's setting). */
  recommended: InFlightAdvice | null = null;
  /** The most frames that overlapped in the last export (tests see the overlap). */
  peakRunning = 0;
  /** Frames of the last export whose source the GPU held wrong (each rendered again). */
  mismatches: SourceMismatch[] = [];
  /** Fault injection (tests): runs after each frame's upload, before its chain. */
  afterUpload: ExportThroughChainHost['afterUpload'] = undefined;
  readonly #app: ExportHost;
  #abort: AbortController | null = null;

  constructor(app: ExportHost) {
    this.#app = app;
  }

  /**
   * Exports the open video through the chain (every frame, on an engine of its own so the viewer
   * is not disturbed) and downloads it. A GPU device lost under a frame: the export waits for the
   * new device and renders that frame again on it, so the file still has every frame once.
   * Cancelling or failing downloads nothing.
   */
  async video(options: Omit<ExportOptions, 'chainScale'>): Promise<ExportResult | null> {
    const app = this.#app;
    const file = app.video.file;
    if (!file || !app.device.gpu || this.#abort) return null;
    const chain = app.chain;
    const stages = chain.stages.filter((s) => s.enabled);
    const chainScale = stages.reduce((k, s) => k * (findMlEffect(s.effect)?.scale ?? 1), 1);
    const abort = new AbortController();
    this.#abort = abort;
    await app.video.pause();
    app.busy.label = `Exporting ${file.name}…`;
    app.busy.progress = 0;
    app.busy.cancel = () => abort.abort();
    try {
      const { inFlight, advice } = app.inFlight(stages, file.info, options.height, chainScale);
      this.recommended = advice;
      this.inFlight = inFlight;
      this.mismatches = [];
      const { result, peakRunning, mismatches } = await exportThroughChain(
        {
          device: app.device,
          createEngine: (gpu) => app.createEngine(gpu, inFlight),
          mlReady: () => app.mlReady(),
          timers: HOST_TIMERS,
          afterUpload: this.afterUpload,
        },
        file.source,
        chain,
        { ...options, chainScale, inFlight },
        (p) => {
          app.busy.progress = p.fraction;
          const eta = p.etaSeconds === null ? '' : `, about ${Math.ceil(p.etaSeconds)} s left`;
          app.busy.label = `Exporting ${file.name}: frame ${p.frames}${eta}…`;
        },
        abort.signal,
      );
      this.peakRunning = peakRunning;
      this.mismatches = mismatches;
      const ext = EXPORT_FORMATS[options.format].container;
      downloadBlob(result.blob, `${file.name.replace(/\.[^.]+$/, '')}-triad.${ext}`);
      app.notices.info(
        'Video exported',
        `${result.frames} frames, ${(result.blob.size / 2 ** 20).toFixed(1)} MiB; audio ${result.audio}.${rerenderedNote(mismatches)}`,
      );
      return result;
    } catch (error) {
      if (abort.signal.aborted) app.notices.info('Export cancelled', 'Nothing was saved.');
      else app.notices.error('Export failed', `${messageOf(error)}. Nothing was saved.`);
      return null;
    } finally {
      this.#abort = null;
      app.busy.clear();
    }
  }

  /** The frame on screen through the chain, downloaded as a PNG. */
  async png(): Promise<Blob | null> {
    const app = this.#app;
    const name = app.imageName;
    if (!app.engine || name === null) return null;
    return app.busy.while('Exporting PNG…', async () => {
      try {
        const pixels = await app.stillImage(app.chain);
        const blob = await encodePng(pixels);
        downloadBlob(blob, exportName(name));
        return blob;
      } catch (error) {
        app.notices.error('Export failed', `${messageOf(error)}. Nothing was saved.`);
        return null;
      }
    });
  }
}
