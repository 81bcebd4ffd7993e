/// <reference lib="webworker" />
// A GPU device of a runtime worker's own (ort-webgpu, tfjs-webgpu), on the adapter the app uses
// (the same feature level), with the compute limits ML kernels ask for: compatibility mode's
// defaults (128-wide workgroups) make tfjs kernels fail validation and return zeros.

export interface OwnDevice {
  device: Promise<GPUDevice>;
  /** Why the device was lost (null: it was not). */
  lost(): string | null;
}

export function ownDevice(label: string, featureLevel: 'core' | 'compatibility'): OwnDevice {
  let reason: string | null = null;
  const device = (async () => {
    const request: GPURequestAdapterOptions =
      featureLevel === 'compatibility'
        ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions)
        : { powerPreference: 'high-performance' };
    const adapter = await navigator.gpu?.requestAdapter(request);
    if (!adapter) throw new Error(`no WebGPU adapter is available to the ${label} worker`);
    const l = adapter.limits;
    const created = await adapter.requestDevice({
      label: `Triad.${label}`,
      requiredLimits: {
        maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
        maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
      },
    });
    void created.lost.then((info) => (reason = info.message || info.reason || 'lost'));
    return created;
  })();
  return { device, lost: () => reason };
}

/** Destroys the device, as a loss would (the recovery tests); resolves once it is lost. */
export async function loseOwnDevice(own: OwnDevice | null): Promise<void> {
  if (!own) throw new Error('this worker has no GPU device');
  const device = await own.device;
  device.destroy();
  await device.lost;
}
