import { DEFAULT_CAMERA, type OrbitCamera } from '../../scene/orbit';
import type { FrameSourceHost } from '../../session/frame-source-host';
import { ScenePlayer, type SceneState as PlayerState } from '../../session/scene-player';
import { HOST_TIMERS } from '../../session/timers';
import { displayFrame } from './display-frame';

export const SCENE_SIZES: readonly [number, number][] = [
  [480, 270],
  [960, 540],
  [1920, 1080],
];

/**
 * The 3D preview source as the UI sees it: reactive state the session's `ScenePlayer` writes (the
 * animation, drawing into the engine's source, orbit and zoom). Drag orbits the camera, the wheel
 * zooms.
 */
export class SceneState implements PlayerState {
  active = $state(false);
  playing = $state(true);
  width = $state(960);
  height = $state(540);
  camera = $state.raw<OrbitCamera>({ ...DEFAULT_CAMERA });
  /** Scene time (seconds) of the frame on screen. */
  time = $state(0);
  shown = $state(0);
  readonly #player: ScenePlayer;

  constructor(host: FrameSourceHost) {
    this.#player = new ScenePlayer(host, this, HOST_TIMERS, displayFrame);
  }

  /** Makes the scene the source (at `width`×`height`) and starts animating it. */
  start(width?: number, height?: number): void {
    this.#player.start(width, height);
  }

  setSize(width: number, height: number): void {
    this.#player.setSize(width, height);
  }

  /** Draws the scene at `time` (seconds) as the source and renders the chain on it. */
  renderAt(time: number): Promise<void> {
    return this.#player.renderAt(time);
  }

  /** Draws the scene at `time` into the engine's source (no render). */
  draw(time: number): void {
    this.#player.draw(time);
  }

  toggle(): void {
    this.#player.toggle();
  }

  orbit(dx: number, dy: number): void {
    this.#player.orbit(dx, dy);
  }

  zoom(delta: number): void {
    this.#player.zoom(delta);
  }

  /** Pauses the animation loop (compare mode drives frames itself); `resume` restarts it. */
  hold(): void {
    this.#player.hold();
  }

  /** The last hold (performance.now() ms; `to` null while it lasts): tests time it. */
  get lastHold(): { from: number; to: number | null } | null {
    return this.#player.lastHold;
  }

  resume(): void {
    this.#player.resume();
  }

  /** Gives a new engine (after a device loss) the frame on screen. */
  restore(): void {
    this.#player.restore();
  }

  stop(): void {
    this.#player.stop();
  }
}
