import type { Chain } from '../effects';
import type { RgbaImage } from '../core/image';
import { HeldWrongError, type Engine, type FrameStats, type PreviewWidths } from '../engine';
import type { GpuContext, GpuOptions, Presenter, ViewTransform } from '../gpu';
import type { FrameInfo } from '../gpu/stage';
import { DeviceLifecycle, type DeviceStatus } from './device';
import { FrameLoop } from './frame-loop';
import { SourceSlot } from './source-slot';
import type { Timers } from './timers';
import { failOnLoss } from './lost-work';
import type { FrameSourceHost } from './frame-source-host';

/** Where frames are shown: a canvas in the browser, a texture in Node. */
export interface FrameOutput {
  /** The surface's size in pixels (a side of 0: nothing can be drawn now). */
  size(): readonly [number, number];
  /** Something that presents on it from `gpu`'s device (made again for a new device). */
  presenter(gpu: GpuContext): Presenter;
}

/** What the next frame draws: the chain, the frame's number, the view of the output. */
export interface FrameRequest {
  chain: Chain;
  index: number;
  view: ViewTransform;
  /** Widths of the small copies read back with the frame (scopes, tone histograms). */
  previews?: PreviewWidths;
  /** The caller's own note about this frame, given back with it (`SessionEvents.frame`). */
  tag?: unknown;
  /**
   * A frame of a stream (a playing video, the camera, the 3D scene running): frames per second
   * mean something only for these. False or absent: a still (an image, a paused video).
   */
  live?: boolean;
}

export interface SessionOptions {
  gpu: GpuOptions;
  timers: Timers;
  /** Calls back at the next display frame (requestAnimationFrame in a browser). */
  requestFrame(callback: () => void): void;
  /** The most frames in flight (read at each decision: the one setting, owned by the caller). */
  inFlight(): number;
  /** Builds the engine on a new device (its placer, AI runner and failure reports wired). */
  createEngine(gpu: GpuContext): Engine;
  /** What to draw for an output of `size`, or null when there is nothing to show. */
  frame(size: readonly [number, number]): FrameRequest | null;
}

export interface SessionEvents {
  /** A device is ready and its engine built, before the source is put back on it. */
  ready?(gpu: GpuContext, engine: Engine): Promise<void> | void;
  /**
   * The device was lost (its engine is gone); `recovering`: a new one is on its way. `heldWrong`:
   * lost on purpose, because a frame checked before it was shown (`checked`) or the watch beside a
   * stream's frames (`watched`: some may have shown) found it holding pixels nothing drew.
   */
  lost?(message: string, recovering: boolean, heldWrong: HeldWrongError['what'] | null): void;
  status(status: DeviceStatus, problem: string | null): void;
  /** A GPU error (uncaptured, or a frame that failed on a device that was not lost). */
  error(message: string): void;
  /** A frame was rendered and presented (`request`: what it was asked to draw). */
  frame?(stats: FrameStats, request: FrameRequest): void;
}

/** A source waits (`frameSlot`) while this many finished frames still run on the GPU (see `FrameLoop`). */
export const MAX_FRAMES_ON_GPU = 2;

/** How the message of a device lost for holding pixels nothing drew begins. */
export const HELD_WRONG = 'The GPU returned pixels that nothing drew';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The app without its UI: the GPU device and the engine on it, the one source at a time, the
 * frames in flight, and where they are shown. The UI's state classes hold the reactive copies and
 * call it; Node drives it the same way on Dawn (src/session/session.test.ts).
 */
export class Session {
  readonly device: DeviceLifecycle;
  readonly loop: FrameLoop<FrameStats | null>;
  /** The one source at a time, and the one whose frame a new device gets. */
  readonly sources = new SourceSlot();
  readonly #options: SessionOptions;
  readonly #events: SessionEvents;
  #engine: Engine | null = null;
  #presenter: Presenter | null = null;
  /** Devices lost on purpose because they held pixels nothing drew, and what found it. */
  readonly #heldWrong = new WeakMap<GpuContext, HeldWrongError>();
  #output: FrameOutput | null = null;

  constructor(options: SessionOptions, events: SessionEvents) {
    this.#options = options;
    this.#events = events;
    this.loop = new FrameLoop<FrameStats | null>(
      options.inFlight,
      () => this.renderNow(),
      options.requestFrame,
      MAX_FRAMES_ON_GPU,
    );
    this.device = new DeviceLifecycle(
      options.gpu,
      {
        ready: (gpu) => this.#ready(gpu),
        lost: (gpu, message, recovering) => {
          this.loop.gpuWorkLost();
          this.#engine?.destroy();
          this.#engine = null;
          this.#presenter = null;
          events.lost?.(message, recovering, this.#heldWrong.get(gpu)?.what ?? null);
        },
        error: (message) => events.error(message),
        status: (status, problem) => {
          events.status(status, problem);
          if (status === 'ready') this.request();
        },
      },
      options.timers,
    );
  }

  start(): Promise<void> {
    return this.device.start();
  }

  get gpu(): GpuContext | null {
    return this.device.gpu;
  }

  get engine(): Engine | null {
    return this.#engine;
  }

  get presenter(): Presenter | null {
    return this.#presenter;
  }

  async #ready(gpu: GpuContext): Promise<void> {
    const engine = this.#options.createEngine(gpu);
    engine.inFlightLimit = this.#options.inFlight;
    // The watch beside a video's (camera's, scene's) frames found the GPU's memory wrong.
    engine.onHeldWrong = (error) => void this.heldWrong(gpu, error);
    this.#engine = engine;
    await this.#events.ready?.(gpu, engine);
    await this.sources.restore();
    if (this.#output) this.#presenter = this.#output.presenter(gpu);
  }

  /** Shows frames on `output` from now on. */
  attachOutput(output: FrameOutput): void {
    this.#output = output;
    const gpu = this.device.gpu;
    if (gpu && this.#engine) this.#presenter = output.presenter(gpu);
    this.request();
  }

  detachOutput(): void {
    this.#presenter?.destroy();
    this.#presenter = null;
    this.#output = null;
  }

  /** Renders at the next display frame (once, however often asked before it). */
  request(): void {
    this.loop.request();
  }

  /** Resolves when no frame is in flight, asked for or (with `waiting`) waiting to start. */
  idle(options: { waiting?: boolean } = {}): Promise<void> {
    return this.loop.idle(options);
  }

  /** Resolves when another frame may start. */
  frameSlot(): Promise<void> {
    return this.loop.slot();
  }

  /** Renders and presents one frame, if there is something to show; resolves when it is done. */
  async renderNow(retryAfterLoss = true): Promise<FrameStats | null> {
    return (await this.startFrame({ retryAfterLoss })).done;
  }

  /**
   * Renders one frame with no other frame in flight, before or during it; `use` runs on the
   * result before any other frame may start (one that reads the output sees this frame).
   */
  renderAlone<T = FrameStats | null>(use?: (stats: FrameStats | null) => T): Promise<T> {
    return this.loop.alone(async () => {
      const stats = await (await this.startFrame({ alone: true })).done;
      return use ? use(stats) : (stats as T);
    });
  }

  /**
   * Starts a frame once there is room for it and resolves as soon as it has taken the source
   * (the next one may be set then), with `done` for the frame itself. A frame whose device is
   * lost under it is rendered again on the new device.
   */
  async startFrame({
    retryAfterLoss = true,
    alone = false,
    live,
    inRun,
  }: {
    retryAfterLoss?: boolean;
    alone?: boolean;
    /** A frame of a stream, whatever the source's state when it starts (see `FrameSourceHost`). */
    live?: boolean;
    /** One of a run of frames (Compare's feed; a stream's by default: `FrameInfo.inRun`). */
    inRun?: boolean;
  } = {}): Promise<{
    done: Promise<FrameStats | null>;
  }> {
    // Another waiter may start one first: the loop checks again after each wait (and the frame
    // starts in the same task as the last check). A frame rendered alone holds the others back.
    await this.loop.room({ alone });
    const engine = this.#engine;
    const presenter = this.#presenter;
    const gpu = this.device.gpu;
    if (!engine || !gpu || !presenter || this.device.status !== 'ready') {
      // The device went away while this call waited for the frame before it: render on the new
      // one once it is ready (a caller asking for a frame should not get nothing for a loss).
      if (
        retryAfterLoss &&
        this.device.status === 'recovering' &&
        (await this.device.whenReady(gpu))
      )
        return this.startFrame({ retryAfterLoss: false, alone, live, inRun });
      return { done: Promise.resolve(null) };
    }
    const size = this.#output?.size();
    const asked = size && size[0] > 0 && size[1] > 0 ? this.#options.frame(size) : null;
    if (!asked) return { done: Promise.resolve(null) };
    const request = live === undefined ? asked : { ...asked, live };
    // A frame of a device that is lost settles (failed) even if its GPU work never does.
    const frame = failOnLoss(
      gpu,
      engine.render(
        request.chain,
        { index: request.index, live: request.live, inRun },
        presenter,
        request.view,
        request.previews,
      ),
      this.#options.timers,
    ).then(
      (stats) => {
        this.#events.frame?.(stats, request);
        return stats;
      },
      (error: unknown) => {
        // The GPU held pixels nothing drew (its memory is not to be trusted): a new device, and
        // the frame is rendered again on it, like one lost under it.
        if (error instanceof HeldWrongError) void this.heldWrong(gpu, error);
        // A lost device fails the frame in flight; the loss handler reports and recovers. Its
        // loss settles a while after the work it failed (a reset's `destroy()`: ~250 ms on
        // lavapipe, the readback failing at once), so that is waited for before an error is told.
        else
          void this.device.wasLost(gpu).then((lost) => {
            if (!lost) this.#events.error(`Rendering failed: ${messageOf(error)}`);
          });
        return null;
      },
    );
    this.loop.track(frame, (stats) => stats?.timing);
    const done = frame.then(async (stats) => {
      if (
        stats === null &&
        retryAfterLoss &&
        (await this.device.wasLost(gpu)) &&
        (await this.device.whenReady(gpu))
      ) {
        // The device was lost under this frame: render it again on the new one.
        return (await this.startFrame({ retryAfterLoss: false, alone, live, inRun })).done;
      }
      return stats;
    });
    return { done };
  }

  /**
   * Frame `frame` of the source through `chain`, read back at full resolution (a still's export,
   * the test API). Where the GPU held pixels nothing drew (`HeldWrongError`) or the device was
   * lost under it (lavapipe loses one during a readback now and then), it is rendered once more
   * on the new device, not given up or written wrong — once `moved` settles (what else must move
   * to the new device first: the app's AI runtimes, as a video export waits for them).
   */
  async renderImage(
    chain: Chain,
    frame: FrameInfo,
    moved: () => Promise<unknown> = () => Promise.resolve(),
  ): Promise<RgbaImage> {
    const engine = this.#engine;
    if (!engine) throw new Error('The GPU is not ready.');
    try {
      return await engine.renderToImage(chain, frame);
    } catch (error) {
      const gpu = engine.gpu;
      const again =
        error instanceof HeldWrongError
          ? await this.heldWrong(gpu, error)
          : (await this.device.wasLost(gpu)) && (await this.device.whenReady(gpu));
      if (!again) throw error;
      await moved();
      if (!this.#engine) throw error;
      return this.#engine.renderToImage(chain, frame);
    }
  }

  /**
   * `gpu` held pixels nothing drew (`HeldWrongError`): its memory is not to be trusted, so
   * it is lost on purpose with that reason (a new device gets the image again). Resolves true
   * once the new device is ready.
   */
  heldWrong(gpu: GpuContext, error: HeldWrongError): Promise<boolean> {
    if (this.device.gpu === gpu && !this.#heldWrong.has(gpu)) {
      this.#heldWrong.set(gpu, error);
      this.device.lose(`${HELD_WRONG}: ${error.message}.`);
    }
    return this.device.whenReady(gpu);
  }

  /**
   * What a frame source (the video player, the camera, the 3D scene) sees of this session, with
   * what its owner does when it shows, numbers a frame or stops on an error.
   */
  sourceHost(
    own: Pick<FrameSourceHost, 'showSource' | 'setFrameIndex' | 'onError'>,
  ): FrameSourceHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const session = this;
    return {
      get engine() {
        return session.engine;
      },
      renderNow: () => session.renderNow(),
      frameSlot: () => session.frameSlot(),
      startFrame: (options) => session.startFrame(options),
      interrupted: () => session.engine?.placer.interrupted?.(),
      ...own,
    };
  }

  dispose(): void {
    this.detachOutput();
    this.#engine?.destroy();
    this.#engine = null;
    this.device.dispose();
  }
}
