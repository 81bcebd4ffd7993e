import { DEFAULT_CAMERA, dragOrbit, zoomOrbit, type OrbitCamera } from '../../scene/orbit';
import { SceneRenderer } from '../../scene/scene-renderer';
import type { FrameSourceHost } from '../../session/frame-source-host';

export const SCENE_SIZES: readonly [number, number][] = [
  [480, 270],
  [960, 540],
  [1920, 1080],
];

/**
 * The 3D preview source: a WGSL ray-marched scene, animated, rendered on the GPU straight into the
 * engine's source texture at its own resolution (no upload), then taken through the chain like a
 * video frame. Drag orbits the camera, the wheel zooms.
 */
export class SceneState {
  active = $state(false);
  playing = $state(true);
  width = $state(960);
  height = $state(540);
  camera = $state.raw<OrbitCamera>({ ...DEFAULT_CAMERA });
  /** Scene time (seconds) of the frame on screen. */
  time = $state(0);
  shown = $state(0);
  readonly #host: FrameSourceHost;
  #renderer: SceneRenderer | null = null;
  #device: GPUDevice | null = null;
  #frameIndex = 0;
  #loop = 0;
  #clockStart = 0;

  constructor(host: FrameSourceHost) {
    this.#host = host;
  }

  /** Makes the scene the source (at `width`×`height`) and starts animating it. */
  start(width = this.width, height = this.height): void {
    this.width = width;
    this.height = height;
    this.#host.showSource({ name: '3D scene', width, height });
    this.active = true;
    this.shown = 0;
    this.#clockStart = performance.now() / 1000 - this.time;
    if (this.playing) this.#animate();
    else void this.renderAt(this.time);
  }

  setSize(width: number, height: number): void {
    if (!this.active) {
      this.width = width;
      this.height = height;
      return;
    }
    this.start(width, height);
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
    engine.drawSource(this.width, this.height, (encoder, target) =>
      renderer.encode(encoder, target, time, this.camera),
    );
    this.time = time;
    this.shown++;
    this.#host.setFrameIndex(this.#frameIndex++);
  }

  #animate(): void {
    const loop = ++this.#loop;
    // Each frame is drawn once there is room for it, and the next is drawn while it is still in
    // its CPU or AI stages (as many overlap as the app allows).
    const step = async () => {
      if (loop !== this.#loop || !this.active || !this.playing) return;
      try {
        await this.#host.frameSlot();
        if (loop !== this.#loop || !this.active || !this.playing) return;
        this.draw(performance.now() / 1000 - this.#clockStart);
        await this.#host.startFrame();
      } catch (error) {
        this.#host.onError(error instanceof Error ? error.message : String(error));
      }
      requestAnimationFrame(() => void step());
    };
    void step();
  }

  toggle(): void {
    this.playing = !this.playing;
    if (this.playing && this.active) {
      this.#clockStart = performance.now() / 1000 - this.time;
      this.#animate();
    } else this.#loop++;
  }

  orbit(dx: number, dy: number): void {
    this.camera = dragOrbit(this.camera, dx, dy);
    if (!this.playing) void this.renderAt(this.time);
  }

  zoom(delta: number): void {
    this.camera = zoomOrbit(this.camera, delta);
    if (!this.playing) void this.renderAt(this.time);
  }

  /** Pauses the animation loop (compare mode drives frames itself); `resume` restarts it. */
  hold(): void {
    this.#loop++;
  }

  resume(): void {
    if (this.active && this.playing) {
      this.#clockStart = performance.now() / 1000 - this.time;
      this.#animate();
    }
  }

  /** Gives a new engine (after a device loss) the frame on screen. */
  restore(): void {
    if (this.active) this.draw(this.time);
  }

  stop(): void {
    this.active = false;
    this.#loop++;
    this.#renderer?.destroy();
    this.#renderer = null;
    this.#device = null;
  }
}
