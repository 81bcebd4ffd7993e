// The triad command's GPU: Dawn's adapters in Node (the `webgpu` package). Vulkan is the backend
// of a real GPU; OpenGL ES through EGL is what works on machines without one (Mesa's llvmpipe),
// in WebGPU's compatibility mode. The app's modules need the WebGPU globals that
// src/gpu/dawn-node.ts installs: the command's entry loads it first.
import { dawnGpu } from '../gpu/dawn-node';
import { GpuContext } from '../gpu/device';

export type Backend = 'vulkan' | 'opengles';
/** `auto`: Vulkan where it gives an adapter, else OpenGL ES. */
export type AdapterChoice = 'auto' | Backend;
export const ADAPTER_CHOICES: readonly AdapterChoice[] = ['auto', 'vulkan', 'opengles'];

/** What `triad info` says of one backend's adapter. */
export interface AdapterReport {
  backend: Backend;
  available: boolean;
  /** Why not, when it is not. */
  detail?: string;
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  featureLevel?: 'core' | 'compatibility';
  isFallbackAdapter?: boolean;
  limits?: Record<string, number>;
}

const LIMITS = [
  'maxTextureDimension2D',
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
] as const;

const request = (backend: Backend): GPURequestAdapterOptions =>
  backend === 'opengles'
    ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions)
    : { powerPreference: 'high-performance' };

/** The adapter a backend offers, described (nothing is created on it). */
export async function describeAdapter(backend: Backend): Promise<AdapterReport> {
  try {
    const adapter = await dawnGpu(backend).requestAdapter(request(backend));
    if (!adapter) return { backend, available: false, detail: 'Dawn found no adapter' };
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    return {
      backend,
      available: true,
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      featureLevel: adapter.features.has('core-features-and-limits') ? 'core' : 'compatibility',
      isFallbackAdapter: Boolean(info.isFallbackAdapter),
      limits: Object.fromEntries(LIMITS.map((name) => [name, adapter.limits[name]])),
    };
  } catch (error) {
    return { backend, available: false, detail: (error as Error).message };
  }
}

/** A device of the command's, and how to let it go. */
export interface OpenedGpu {
  gpu: GpuContext;
  backend: Backend;
  /** The adapter, as people read it ("llvmpipe (LLVM 15.0.6, 256 bits), opengles"). */
  name: string;
  close(): void;
}

/** The backend a choice means here (`auto`: Vulkan where Dawn offers an adapter, else OpenGL ES). */
export async function chooseBackend(choice: AdapterChoice): Promise<Backend> {
  if (choice !== 'auto') return choice;
  const adapter = await dawnGpu('vulkan')
    .requestAdapter(request('vulkan'))
    .catch(() => null);
  return adapter ? 'vulkan' : 'opengles';
}

/**
 * Opens a device on the chosen backend (`auto`: Vulkan, then OpenGL ES). A loss or an
 * uncaptured error is handed to `onProblem`; the caller decides what it costs.
 */
export async function openGpu(
  choice: AdapterChoice,
  onProblem: (message: string) => void = () => {},
): Promise<OpenedGpu> {
  const order: Backend[] = choice === 'auto' ? ['vulkan', 'opengles'] : [choice];
  const failures: string[] = [];
  for (const backend of order) {
    const entry = dawnGpu(backend);
    // Ask first: GpuContext.create retries a missing adapter for seconds (a browser's GPU
    // process restarting); Dawn answers at once.
    const adapter = await entry.requestAdapter(request(backend)).catch(() => null);
    if (!adapter) {
      failures.push(`${backend}: no adapter`);
      continue;
    }
    const gpu = await GpuContext.create(
      { compatibility: backend === 'opengles', gpu: entry },
      (message) => onProblem(`GPU error: ${message}`),
      (reason, message) => onProblem(`the GPU device was lost (${reason}: ${message})`),
    );
    const { description, vendor } = gpu.adapter;
    return {
      gpu,
      backend,
      name: `${description || vendor || 'unnamed adapter'} (${backend}, ${gpu.adapter.featureLevel})`,
      close() {
        gpu.device.destroy();
      },
    };
  }
  throw new Error(failures.join('; '));
}
