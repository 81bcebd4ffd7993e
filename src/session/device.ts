import { GpuContext, type GpuOptions } from '../gpu/device';
import type { Timers } from './timers';

export type DeviceStatus = 'starting' | 'ready' | 'recovering' | 'unavailable';

/** Losses in a row (with no frame of work between them) before the session gives up. */
export const MAX_RECOVERY_ATTEMPTS = 3;

/** What the owner of the device's resources hears from its lifecycle. */
export interface DeviceEvents {
  /**
   * A device is ready, the first or one after a loss: build what lives on it (engine, presenter,
   * AI runtimes) and put the source back. The status turns `ready` once this resolves.
   */
  ready(gpu: GpuContext): Promise<void> | void;
  /** The device was lost: drop what lived on it. `recovering`: a new one is on its way. */
  lost(gpu: GpuContext, message: string, recovering: boolean): void;
  /** An uncaptured GPU error (validation, out of memory) on the current device. */
  error(message: string): void;
  status(status: DeviceStatus, problem: string | null): void;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The GPU device's life: created, lost, recreated (up to `MAX_RECOVERY_ATTEMPTS` losses in a row),
 * or unavailable with the reason why. One device at a time; everything that lives on it is the
 * owner's, told through `DeviceEvents`. No DOM and no Svelte: the clock and timers are injected.
 */
export class DeviceLifecycle {
  readonly #options: GpuOptions;
  readonly #events: DeviceEvents;
  readonly #timers: Timers;
  #gpu: GpuContext | null = null;
  #status: DeviceStatus = 'starting';
  #problem: string | null = null;
  #losses = 0;
  #generation = 0;
  #disposed = false;
  /** Callers waiting for the status to change. */
  #changed: (() => void)[] = [];
  /** Why a device was lost on purpose, where the caller said. */
  readonly #why = new WeakMap<GpuContext, string>();

  constructor(options: GpuOptions, events: DeviceEvents, timers: Timers) {
    this.#options = options;
    this.#events = events;
    this.#timers = timers;
  }

  get gpu(): GpuContext | null {
    return this.#gpu;
  }

  get status(): DeviceStatus {
    return this.#status;
  }

  get problem(): string | null {
    return this.#problem;
  }

  /** Increments each time a device is ready (the first, and each after a loss). */
  get generation(): number {
    return this.#generation;
  }

  /** Creates the first device; resolves once it is ready or known to be unavailable. */
  start(): Promise<void> {
    return this.#create();
  }

  /**
   * Loses the device on purpose (a "reset GPU" action; the tests' way to lose one; a device found
   * holding wrong pixels). `why` is what the owner hears as the loss's message.
   */
  lose(why?: string): void {
    const gpu = this.#gpu;
    if (!gpu) return;
    if (why) this.#why.set(gpu, why);
    gpu.loseDevice();
  }

  dispose(): void {
    this.#disposed = true;
    this.#gpu?.device.destroy();
    this.#gpu = null;
  }

  /** Resolves true once a device other than `lost` is ready, false if none comes in time. */
  async whenReady(lost: GpuContext | null, timeoutMs = 10_000): Promise<boolean> {
    let timedOut = false;
    const timeout = this.#timers.sleep(timeoutMs).then(() => (timedOut = true));
    for (;;) {
      if (this.#status === 'ready' && this.#gpu && this.#gpu !== lost) return true;
      if (this.#status === 'unavailable' || this.#disposed || timedOut) return false;
      let wake = () => {};
      const changed = new Promise<void>((resolve) => this.#changed.push((wake = resolve)));
      await Promise.race([timeout, changed]);
      // Timed out before any change: this waiter is not left behind for the next one.
      this.#changed = this.#changed.filter((w) => w !== wake);
    }
  }

  /** Callers waiting in `whenReady` now (none is left behind once it has returned). */
  get waiting(): number {
    return this.#changed.length;
  }

  /** Whether a failed piece of work's device was lost (its `lost` promise settles a little later). */
  wasLost(gpu: GpuContext): Promise<boolean> {
    // Generous: a busy CI machine can take a while to settle it.
    return gpu.lostUnder(2000, (ms) => this.#timers.sleep(ms));
  }

  #setStatus(status: DeviceStatus, problem: string | null): void {
    this.#status = status;
    this.#problem = problem;
    this.#events.status(status, problem);
    const waiting = this.#changed;
    this.#changed = [];
    for (const wake of waiting) wake();
  }

  async #create(): Promise<void> {
    let gpu: GpuContext;
    try {
      gpu = await GpuContext.create(
        this.#options,
        (message) => {
          if (gpu === this.#gpu) this.#events.error(message);
        },
        (reason, message) => this.#onLost(gpu, message || reason),
      );
    } catch (error) {
      this.#setStatus('unavailable', messageOf(error));
      return;
    }
    if (this.#disposed) {
      gpu.device.destroy();
      return;
    }
    this.#gpu = gpu;
    await this.#events.ready(gpu);
    if (gpu !== this.#gpu) return; // lost while its resources were being built
    this.#losses = 0;
    this.#generation++;
    this.#setStatus('ready', null);
  }

  #onLost(lost: GpuContext, message: string): void {
    if (this.#disposed || lost !== this.#gpu) return;
    this.#gpu = null;
    message = this.#why.get(lost) ?? message;
    const recovering = this.#losses < MAX_RECOVERY_ATTEMPTS;
    this.#events.lost(lost, message, recovering);
    if (!recovering) {
      this.#setStatus(
        'unavailable',
        `The GPU device was lost ${MAX_RECOVERY_ATTEMPTS} times in a row (${message}).`,
      );
      return;
    }
    this.#losses++;
    this.#setStatus('recovering', null);
    void this.#create();
  }
}
