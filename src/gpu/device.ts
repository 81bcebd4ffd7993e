import { emptyCounters, type GpuCounters } from './counters';

export interface GpuOptions {
  /**
   * Ask for WebGPU compatibility mode (`featureLevel: 'compatibility'`). On machines without a
   * GPU this selects Mesa's lavapipe through ANGLE/OpenGL ES, several times faster than
   * SwiftShader. All kernels stay within compatibility limits, so both work.
   */
  compatibility?: boolean;
  /**
   * The WebGPU entry point (default: the browser's `navigator.gpu`). Outside a browser, e.g.
   * Dawn's `create()` from the `webgpu` package in Node (src/engine/headless.test.ts, src/session/session.test.ts).
   */
  gpu?: GPU;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  featureLevel: 'core' | 'compatibility';
  maxTextureDimension2D: number;
}

export class GpuUnavailableError extends Error {
  override name = 'GpuUnavailableError';
}

export type GpuErrorListener = (message: string) => void;
export type GpuLostListener = (reason: string, message: string) => void;

/**
 * Owns one GPUDevice: creates it, counts every texture and buffer made through it, and reports
 * uncaptured errors and device loss exactly once, to the listeners given here. Everything that
 * allocates GPU memory goes through `createTexture` / `createBuffer` and gives it back through
 * `destroy`, so the live counts are exact.
 */
/** Waits before each new try when the adapter or device cannot be had (ms). */
const RETRY_DELAYS_MS = [250, 750, 1500];

export class GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  readonly counters: GpuCounters = emptyCounters();
  #live = new WeakSet<GPUTexture | GPUBuffer>();
  /** Live textures and buffers by label (what a leak is made of, when the counts say there is one). */
  readonly liveByLabel = new Map<string, number>();
  #lost = false;
  /** Calls of `lostUnder` still waiting: woken by the loss, or dropped at their timeout. */
  readonly #lostWaiters = new Set<() => void>();

  private constructor(device: GPUDevice, adapter: AdapterSummary) {
    this.device = device;
    this.adapter = adapter;
  }

  static async create(
    options: GpuOptions,
    onError: GpuErrorListener,
    onLost: GpuLostListener,
  ): Promise<GpuContext> {
    const entry =
      options.gpu ??
      (typeof navigator !== 'undefined' && 'gpu' in navigator ? navigator.gpu : null);
    if (!entry) {
      throw new GpuUnavailableError('This browser does not expose WebGPU (navigator.gpu).');
    }
    const request: GPURequestAdapterOptions = options.compatibility
      ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions)
      : { powerPreference: 'high-performance' };
    // The browser's GPU process can be restarting (after a crash or a device loss elsewhere): the
    // adapter is then missing or its requestDevice fails ("A valid external Instance reference no
    // longer exists"). A fresh adapter a moment later works, so try a few times before giving up.
    for (let attempt = 0; ; attempt++) {
      try {
        return await GpuContext.#open(entry, request, onError, onLost);
      } catch (error) {
        if (attempt >= RETRY_DELAYS_MS.length) throw error;
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
      }
    }
  }

  static async #open(
    entry: GPU,
    request: GPURequestAdapterOptions,
    onError: GpuErrorListener,
    onLost: GpuLostListener,
  ): Promise<GpuContext> {
    // Fallback (software) adapters are accepted on purpose: they are correct, only slow.
    const adapter = await entry.requestAdapter(request);
    if (!adapter) throw new GpuUnavailableError('No WebGPU adapter is available on this machine.');
    const device = await adapter.requestDevice({
      label: 'Triad.device',
      requiredLimits: {
        // Large LUTs (up to 256³ entries, 4 bytes each) live in one storage buffer.
        maxStorageBufferBindingSize: Math.min(
          adapter.limits.maxStorageBufferBindingSize,
          256 * 256 * 256 * 4,
        ),
        maxBufferSize: Math.min(adapter.limits.maxBufferSize, 256 * 256 * 256 * 4),
        maxTextureDimension2D: adapter.limits.maxTextureDimension2D,
        // Compute kernels (a user's own WGSL effect among them) get the adapter's full compute
        // limits, not compatibility mode's small defaults. (The ML runtimes each have a device
        // of their own in their worker: workers/own-device.ts.)
        maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
        maxComputeWorkgroupSizeY: adapter.limits.maxComputeWorkgroupSizeY,
        maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
        maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
      },
    });
    const info = adapter.info;
    const summary: AdapterSummary = {
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      description: info?.description ?? '',
      isFallbackAdapter: Boolean(
        (info as GPUAdapterInfo & { isFallbackAdapter?: boolean })?.isFallbackAdapter,
      ),
      featureLevel: adapter.features.has('core-features-and-limits') ? 'core' : 'compatibility',
      maxTextureDimension2D: device.limits.maxTextureDimension2D,
    };
    const ctx = new GpuContext(device, summary);
    countDeviceBuffers(device, ctx.counters);
    device.addEventListener('uncapturederror', (event) => {
      ctx.counters.errors++;
      onError((event as GPUUncapturedErrorEvent).error.message);
    });
    void device.lost.then((info) => {
      ctx.#lost = true;
      for (const wake of ctx.#lostWaiters) wake();
      ctx.#lostWaiters.clear();
      onLost(info.reason, info.message);
    });
    return ctx;
  }

  get isLost(): boolean {
    return this.#lost;
  }

  /**
   * Whether work that just failed on this device failed because the device is being lost: its
   * `lost` promise settles a while after the work that failed with it (~250 ms after a
   * `destroy()` on lavapipe, whose mapAsync calls fail at once), so this waits up to `waitMs`.
   */
  lostUnder(
    waitMs = 2000,
    sleep: (ms: number) => Promise<unknown> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ): Promise<boolean> {
    if (this.#lost) return Promise.resolve(true);
    // Not a race with `device.lost`: each call would leave a reaction on that long-lived promise,
    // holding its caller's frame until the device goes (the pattern that kept every ort-wasm mask).
    return new Promise<boolean>((resolve) => {
      const wake = () => resolve(true);
      this.#lostWaiters.add(wake);
      void sleep(waitMs).then(() => {
        this.#lostWaiters.delete(wake);
        resolve(false);
      });
    });
  }

  /** Calls of `lostUnder` waiting to learn whether the device is lost (0 once each has answered). */
  get waitingOnLoss(): number {
    return this.#lostWaiters.size;
  }

  createTexture(descriptor: GPUTextureDescriptor): GPUTexture {
    const texture = this.device.createTexture(descriptor);
    this.#live.add(texture);
    this.#count(texture.label, 1);
    this.counters.liveTextures++;
    return texture;
  }

  createBuffer(descriptor: GPUBufferDescriptor): GPUBuffer {
    const buffer = this.device.createBuffer(descriptor);
    this.#live.add(buffer);
    this.#count(buffer.label, 1);
    this.counters.liveBuffers++;
    return buffer;
  }

  /** Destroys a texture or buffer made by this context; a second call is a no-op. */
  destroy(resource: GPUTexture | GPUBuffer): void {
    if (!this.#live.delete(resource)) return;
    this.#count(resource.label, -1);
    if (resource instanceof GPUTexture) this.counters.liveTextures--;
    else this.counters.liveBuffers--;
    resource.destroy();
  }

  #count(label: string, by: 1 | -1): void {
    const key = label || '(no label)';
    const n = (this.liveByLabel.get(key) ?? 0) + by;
    if (n) this.liveByLabel.set(key, n);
    else this.liveByLabel.delete(key);
  }

  /**
   * Destroys `resource` once the queue has done the work submitted so far (see `TexturePool`):
   * for resources given up while other work may still use the device.
   */
  destroyWhenDone(resource: GPUTexture | GPUBuffer): void {
    const destroy = () => this.destroy(resource);
    void this.device.queue.onSubmittedWorkDone().then(destroy, destroy);
  }

  submit(commands: GPUCommandBuffer[]): void {
    this.device.queue.submit(commands);
    this.counters.submits++;
  }

  /** Simulates a lost device (test hook and "reset GPU" action). */
  loseDevice(): void {
    this.device.destroy();
  }
}

/** A short, human-readable adapter name for the UI. */
export function describeAdapter(a: AdapterSummary): string {
  const name =
    [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'Unnamed adapter';
  const tags = [a.featureLevel === 'compatibility' ? 'compatibility mode' : 'core'];
  if (a.isFallbackAdapter) tags.push('software fallback');
  return `${name} (${tags.join(', ')})`;
}

/**
 * Counts every buffer created on the device, by any library, until it is destroyed: the ML
 * runtimes allocate on the app's device behind our back, and their leaks must show too.
 */
function countDeviceBuffers(device: GPUDevice, counters: GpuCounters): void {
  const create = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buffer = create(descriptor);
    counters.deviceBuffers++;
    const destroy = buffer.destroy.bind(buffer);
    let destroyed = false;
    buffer.destroy = () => {
      if (!destroyed) counters.deviceBuffers--;
      destroyed = true;
      destroy();
    };
    return buffer;
  };
}
