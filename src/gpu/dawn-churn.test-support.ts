// Run by dawn-node.test.ts in a child process (`node --expose-gc --import tsx`): devices made
// through `dawnGpu()`, each destroyed with a readback and a queue wait still pending (a loss, as
// the triad command's batch meets one), every reference to the entry point dropped and garbage
// collected before the next, while the device, its buffer and their promises live on. Prints
// "done N" if the process lives through all N rounds.
import { dawnGpu } from './dawn-node';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const rounds = Number(process.argv[2] ?? 300);
const size = 256;
/** What is still waited on, kept as the app keeps it (`GpuContext` listens to `device.lost`). */
const waiting: Promise<unknown>[] = [];

async function round(i: number): Promise<void> {
  let entry: GPU | null = dawnGpu();
  const adapter = await entry.requestAdapter({
    featureLevel: 'compatibility',
  } as GPURequestAdapterOptions);
  if (!adapter) throw new Error('no adapter');
  const device = await adapter.requestDevice();
  const texture = device.createTexture({
    size: [size, size],
    format: 'rgba8unorm',
    usage: GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST,
  });
  device.queue.writeTexture(
    { texture },
    new Uint8Array(size * size * 4).fill(7),
    { bytesPerRow: size * 4 },
    [size, size],
  );
  const buffer = device.createBuffer({
    size: size * size * 4,
    usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
  });
  const encoder = device.createCommandEncoder();
  encoder.copyTextureToBuffer({ texture }, { buffer, bytesPerRow: size * 4 }, [size, size]);
  device.queue.submit([encoder.finish()]);
  waiting.push(
    buffer.mapAsync(GPUMapMode.READ).catch(() => {}),
    device.queue.onSubmittedWorkDone().catch(() => {}),
    device.lost,
  );
  device.destroy();
  entry = null;
  gc!();
  await new Promise((resolve) => setTimeout(resolve, i % 5));
}

for (let i = 0; i < rounds; i++) await round(i);
console.log(`done ${rounds}`);
