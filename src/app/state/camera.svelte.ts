import { Camera, listCameras, type CameraDevice } from '../../media/video/camera';
import type { OwnedFrame } from '../../media/video/frames';
import { FrameOnScreen } from '../../session/frame-on-screen';
import type { FrameSourceHost } from '../../session/frame-source-host';

/**
 * The webcam as a live source. Frames are read as fast as the camera makes them; one that arrives
 * while the previous is still going through the chain is closed and counted as dropped (a live
 * source cannot wait). Holds only the frame on screen.
 */
export class CameraState {
  devices = $state.raw<CameraDevice[]>([]);
  camera = $state.raw<Camera | null>(null);
  shown = $state(0);
  dropped = $state(0);
  readonly #host: FrameSourceHost;
  /** The one decoded frame kept: the one on screen. */
  readonly #onScreen = new FrameOnScreen();
  #busy = false;
  #frameIndex = 0;

  constructor(host: FrameSourceHost) {
    this.#host = host;
  }

  async refresh(): Promise<void> {
    this.devices = await listCameras();
  }

  /** Starts a camera (the first one, or `deviceId`); errors are MediaErrors with the reason. */
  async start(deviceId?: string): Promise<void> {
    const camera = await Camera.open(deviceId);
    this.stop();
    this.camera = camera;
    this.shown = 0;
    this.dropped = 0;
    this.#host.showSource({ name: camera.label, width: camera.width, height: camera.height });
    void this.refresh(); // labels appear once allowed
    void this.#read(camera);
  }

  async #read(camera: Camera): Promise<void> {
    for (;;) {
      const frame = await camera.next().catch(() => null);
      if (!frame) return;
      if (this.camera !== camera) {
        frame.close();
        return;
      }
      if (this.#busy) {
        frame.close();
        this.dropped++;
        continue;
      }
      this.#busy = true;
      void this.#show(frame, camera).finally(() => (this.#busy = false));
    }
  }

  /**
   * Uploads a frame and starts rendering it, once there is room for another frame in flight;
   * frames that arrive meanwhile are dropped (a live source does not wait).
   */
  async #show(frame: OwnedFrame, camera: Camera): Promise<void> {
    await this.#host.frameSlot();
    const engine = this.#host.engine;
    try {
      if (!engine || this.camera !== camera) throw new Error('stopped');
      await engine.setSourceFrame(frame.frame);
    } catch (error) {
      frame.close();
      if (this.camera === camera && (error as Error).message !== 'stopped')
        this.#host.onError((error as Error).message);
      return;
    }
    if (this.camera !== camera) {
      frame.close(); // stopped while it was uploading
      return;
    }
    this.#onScreen.hold(frame);
    this.shown++;
    this.#host.setFrameIndex(this.#frameIndex++);
    await this.#host.startFrame({ live: true });
  }

  /** Gives a new engine (after a device loss) the frame on screen. */
  async restore(): Promise<void> {
    await this.#onScreen.restore(this.#host.engine);
  }

  stop(): void {
    this.camera?.stop();
    this.camera = null;
    this.#onScreen.release();
  }
}
