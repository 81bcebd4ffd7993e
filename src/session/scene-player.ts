import { dragOrbit, zoomOrbit, type OrbitCamera } from '../scene/orbit';
import { SceneRenderer } from '../scene/scene-renderer';
import type { FrameSourceHost } from './frame-source-host';
import type { Timers } from './timers';

/** What the scene player shows and is told (the UI's reactive state, or a plain object). */
export interface SceneState {
  active: boolean;
  playing: boolean;
  width: number;
  height: number;
  camera: OrbitCamera;
  /** Scene time (seconds) of the frame on screen. */
  time: number;
  shown: number;
}

/**
 * The 3D preview as a source: a WGSL ray-marched scene, animated on the injected clock and drawn
 * on the GPU straight into the engine's source texture at its own resolution (no upload), then
 * taken through the chain like a video frame. Each frame is drawn once the session has room for
 * it (`frameSlot`), and the next is drawn while it is still in its CPU or AI stages. No DOM: the
 * clock and the display-frame callback are injected.
 */
export class ScenePlayer {
  readonly state: SceneState;
  readonly #host: FrameSourceHost;
  readonly #timers: Timers;
  readonly #requestFrame: (callback: () => void) => void;
  #renderer: SceneRenderer | null = null;
  #device: GPUDevice | null = null;
  #frameIndex = 0;
  #loop = 0;
  #clockStart = 0;
  /** The last hold, on the injected clock (ms): `to` is null while it lasts. */
  lastHold: { from: number; to: number | null } | null = null;

  constructor(
    host: FrameSourceHost,
    state: SceneState,
    timers: Timers,
    requestFrame: (callback: () => void) => void,
  ) {
    this.#host = host;
    this.state = state;
    this.#timers = timers;
    this.#requestFrame = requestFrame;
  }

  #seconds(): number {
    return this.#timers.now() / 1000;
  }

  /** Makes the scene the source (at `width`×`height`) and starts animating it. */
  start(width = this.state.width, height = this.state.height): void {
    const state = this.state;
    state.width = width;
    state.height = height;
    this.#host.showSource({ name: '3D scene', width, height });
    state.active = true;
    state.shown = 0;
    this.#clockStart = this.#seconds() - state.time;
    if (state.playing) this.#animate();
    else void this.renderAt(state.time);
  }

  setSize(width: number, height: number): void {
    if (this.state.active) return this.start(width, height);
    this.state.width = width;
    this.state.height = height;
  }

  /** Draws the scene at `time` (seconds) as the source and renders the chain on it. */
  async renderAt(time: number): Promise<void> {
    this.draw(time);
    await this.#host.renderNow();
  }

  /** Draws the scene at `time` into the engine's source (no render). */
  draw(time: number): void {
    const engine = this.#host.engine;
    if (!engine) return;
    if (this.#device !== engine.gpu.device) {
      this.#renderer?.destroy();
      this.#renderer = new SceneRenderer(engine.gpu);
      this.#device = engine.gpu.device;
    }
    const renderer = this.#renderer!;
    const { width, height, camera } = this.state;
    engine.drawSource(width, height, (encoder, target) =>
      renderer.encode(encoder, target, time, camera),
    );
    this.state.time = time;
    this.state.shown++;
    this.#host.setFrameIndex(this.#frameIndex++);
  }

  #animate(): void {
    const loop = ++this.#loop;
    const state = this.state;
    const running = () => loop === this.#loop && state.active && state.playing;
    const step = async () => {
      if (!running()) return;
      try {
        await this.#host.frameSlot();
        if (!running()) return;
        this.draw(this.#seconds() - this.#clockStart);
        await this.#host.startFrame({ live: true });
      } catch (error) {
        this.#host.onError(error instanceof Error ? error.message : String(error));
      }
      this.#requestFrame(() => void step());
    };
    void step();
  }

  toggle(): void {
    const state = this.state;
    state.playing = !state.playing;
    if (state.playing && state.active) {
      this.#clockStart = this.#seconds() - state.time;
      this.#animate();
    } else this.#loop++;
  }

  orbit(dx: number, dy: number): void {
    this.state.camera = dragOrbit(this.state.camera, dx, dy);
    if (!this.state.playing) void this.renderAt(this.state.time);
  }

  zoom(delta: number): void {
    this.state.camera = zoomOrbit(this.state.camera, delta);
    if (!this.state.playing) void this.renderAt(this.state.time);
  }

  /** Pauses the animation loop (compare mode drives frames itself); `resume` restarts it. */
  hold(): void {
    this.#loop++;
    this.lastHold = { from: this.#timers.now(), to: null };
  }

  resume(): void {
    if (this.lastHold && this.lastHold.to === null) this.lastHold.to = this.#timers.now();
    if (this.state.active && this.state.playing) {
      this.#clockStart = this.#seconds() - this.state.time;
      this.#animate();
    }
  }

  /** Gives a new engine (after a device loss) the frame on screen. */
  restore(): void {
    if (this.state.active) this.draw(this.state.time);
  }

  stop(): void {
    this.state.active = false;
    this.#loop++;
    this.#renderer?.destroy();
    this.#renderer = null;
    this.#device = null;
  }
}
