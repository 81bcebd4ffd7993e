import prelude from '../../shaders/prelude.wgsl?raw';

/**
 * The owner of one WGSL compute kernel: its bind group layout and pipeline (cached per device),
 * and a `dispatch` that binds textures and buffers in the project-wide convention every kernel in
 * shaders/ follows:
 *
 *   @group(0) @binding(0)      output: texture_storage_2d<rgba8unorm, write>
 *   @group(0) @binding(1)      params: uniform struct
 *   @group(0) @binding(2 + i)  input i: texture_2d<f32>            (i < inputs)
 *   @group(0) @binding(2 + inputs + j)  buffer j: storage, read     (j < storageBuffers)
 *
 * Workgroup sizes are WGSL `override` constants (WG_X, WG_Y) filled in here, not by editing text.
 * The first two bindings, the overrides and the bounds guard `outside(id)` are declared once, in
 * shaders/prelude.wgsl, which the owner prepends to the kernel's code (`kernelSource`).
 */
export interface KernelSpec {
  label: string;
  /** The kernel's own WGSL: `struct Params`, its inputs from binding 2, `main`. */
  code: string;
  inputs: number;
  /**
   * The size of the kernel's `Params` struct in 32-bit words: its uniform buffer's size
   * (src/gpu/kernels.test.ts holds each kernel's to its WGSL).
   */
  uniformWords: number;
  storageBuffers?: number;
  workgroup?: [number, number];
}

/** The WGSL a kernel compiles: the prelude, then its own code. */
export function kernelSource(spec: Pick<KernelSpec, 'code'>): string {
  return `${prelude}\n${spec.code}`;
}

interface Compiled {
  layout: GPUBindGroupLayout;
  pipeline: GPUComputePipeline;
}

const compiled = new WeakMap<GPUDevice, Map<string, Compiled>>();

type Checked = { ready: Compiled | null; messages: readonly GPUCompilationMessage[] };
/** `ComputeKernel.compile` calls under way, by device and label: one build for all who ask. */
const compiling = new WeakMap<GPUDevice, Map<string, Promise<Checked>>>();

/** `byDevice`'s map for `device`, made on first use. */
function labelsOf<V>(byDevice: WeakMap<GPUDevice, Map<string, V>>, device: GPUDevice) {
  let perDevice = byDevice.get(device);
  if (!perDevice) byDevice.set(device, (perDevice = new Map()));
  return perDevice;
}

export interface DispatchArgs {
  output: GPUTexture;
  inputs: GPUTexture[];
  uniforms: GPUBuffer;
  buffers?: GPUBuffer[];
  /** Invocations in x and y; defaults to one per output pixel. */
  invocations?: [number, number];
}

export class ComputeKernel {
  readonly spec: KernelSpec;
  readonly #device: GPUDevice;
  readonly #compiled: Compiled;

  constructor(device: GPUDevice, spec: KernelSpec, ready?: Compiled) {
    this.spec = spec;
    this.#device = device;
    const perDevice = labelsOf(compiled, device);
    let entry = ready ?? perDevice.get(spec.label);
    if (!entry) perDevice.set(spec.label, (entry = compile(device, spec)));
    this.#compiled = entry;
  }

  /**
   * Compiles code the app did not write (a custom effect) without blocking the page or raising
   * an uncaptured error: the compiler's messages come back, and the kernel only when it built.
   */
  static async compile(
    device: GPUDevice,
    spec: KernelSpec,
  ): Promise<{ kernel: ComputeKernel | null; messages: readonly GPUCompilationMessage[] }> {
    // Built already on this device (the editor compiled it before the chain took it).
    if (compiled.get(device)?.has(spec.label))
      return { kernel: new ComputeKernel(device, spec), messages: [] };
    // Or being built: "New effect…" adds the template's stage and opens the editor at once, and
    // both asked for the same pipeline together — two identical async pipelines on the device.
    const entries = labelsOf(compiling, device);
    let running = entries.get(spec.label);
    if (!running) {
      running = compileChecked(device, spec).finally(() => entries.delete(spec.label));
      entries.set(spec.label, running);
    }
    const { ready, messages } = await running;
    return { kernel: ready ? new ComputeKernel(device, spec, ready) : null, messages };
  }

  dispatch(encoder: GPUCommandEncoder, args: DispatchArgs): void {
    const { inputs, storageBuffers = 0, label } = this.spec;
    if (args.inputs.length !== inputs) throw new Error(`${label} takes ${inputs} input textures`);
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: args.output.createView() },
      { binding: 1, resource: { buffer: args.uniforms } },
    ];
    args.inputs.forEach((t, i) => entries.push({ binding: 2 + i, resource: t.createView() }));
    for (let j = 0; j < storageBuffers; j++) {
      entries.push({ binding: 2 + inputs + j, resource: { buffer: args.buffers![j] } });
    }
    const bindGroup = this.#device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: this.#compiled.layout,
      entries,
    });
    const [wx, wy] = this.spec.workgroup ?? [8, 8];
    const [nx, ny] = args.invocations ?? [args.output.width, args.output.height];
    const pass = encoder.beginComputePass({ label: `${label}.pass` });
    pass.setPipeline(this.#compiled.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(nx / wx), Math.ceil(ny / wy));
    pass.end();
  }
}

function bindGroupLayout(device: GPUDevice, spec: KernelSpec): GPUBindGroupLayout {
  const { label, inputs, storageBuffers = 0 } = spec;
  const entries: GPUBindGroupLayoutEntry[] = [
    {
      binding: 0,
      visibility: GPUShaderStage.COMPUTE,
      storageTexture: { access: 'write-only', format: 'rgba8unorm' },
    },
    { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
  ];
  for (let i = 0; i < inputs; i++) {
    entries.push({
      binding: 2 + i,
      visibility: GPUShaderStage.COMPUTE,
      texture: { sampleType: 'unfilterable-float' },
    });
  }
  for (let j = 0; j < storageBuffers; j++) {
    entries.push({
      binding: 2 + inputs + j,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: 'read-only-storage' },
    });
  }
  return device.createBindGroupLayout({ label: `${label}.bindGroupLayout`, entries });
}

function pipelineDescriptor(
  device: GPUDevice,
  spec: KernelSpec,
  layout: GPUBindGroupLayout,
  module: GPUShaderModule,
): GPUComputePipelineDescriptor {
  const [wx, wy] = spec.workgroup ?? [8, 8];
  return {
    label: `${spec.label}.pipeline`,
    layout: device.createPipelineLayout({
      label: `${spec.label}.pipelineLayout`,
      bindGroupLayouts: [layout],
    }),
    compute: { module, entryPoint: 'main', constants: { WG_X: wx, WG_Y: wy } },
  };
}

function compile(device: GPUDevice, spec: KernelSpec): Compiled {
  const layout = bindGroupLayout(device, spec);
  const module = device.createShaderModule({
    label: `${spec.label}.module`,
    code: kernelSource(spec),
  });
  return {
    layout,
    pipeline: device.createComputePipeline(pipelineDescriptor(device, spec, layout, module)),
  };
}

/**
 * A kernel's module and pipeline, built without blocking the page: a module that does not compile
 * raises a validation error, captured here and reported through its messages, not as the page's
 * uncaptured GPU error.
 */
async function compileChecked(device: GPUDevice, spec: KernelSpec): Promise<Checked> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({
    label: `${spec.label}.module`,
    code: kernelSource(spec),
  });
  const [{ messages }] = await Promise.all([module.getCompilationInfo(), device.popErrorScope()]);
  if (messages.some((m) => m.type === 'error')) return { ready: null, messages };
  const layout = bindGroupLayout(device, spec);
  const pipeline = await device.createComputePipelineAsync(
    pipelineDescriptor(device, spec, layout, module),
  );
  const ready = { layout, pipeline };
  labelsOf(compiled, device).set(spec.label, ready);
  return { ready, messages };
}
