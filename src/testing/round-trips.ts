import type { CpuPool } from '../cpu';
import { chainFromStages, type EffectEnv } from '../effects';
import { Engine } from '../engine';
import type { GpuContext } from '../gpu';

/**
 * Per channel: uploads that import the frame may convert its colours and round; another frame's
 * pixels differ by 53 levels or more in every channel.
 */
const TOLERANCE = 4;

/** A picture that differs from frame to frame in every pixel (alpha opaque). */
function framePixels(k: number, width: number, height: number): Uint8ClampedArray {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : (k * 53 + (i >> 2) * 7) & 255;
  return data;
}

/**
 * Frames through an inverting CPU stage with `inFlight` frames overlapping, as an export runs
 * them (the next frame's source is written while the ones before it are in their CPU round
 * trip), on an engine of their own. Every frame has its own picture: a frame whose readback or
 * upload landed in another frame's texture shows up in `wrong` (frame numbers); a frame that
 * failed, in `failed` with why (a device lost under the run fails every frame after it).
 */
export async function overlappedRoundTrips(
  gpu: GpuContext,
  env: EffectEnv,
  cpu: CpuPool,
  request: { frames: number; inFlight: number; width: number; height: number },
): Promise<{ wrong: number[]; failed: { frame: number; reason: string }[]; peakRunning: number }> {
  const { frames, inFlight, width, height } = request;
  const chain = chainFromStages([{ effect: 'invert', target: 'cpu' }]);
  const engine = new Engine(gpu, env, cpu);
  engine.inFlightLimit = () => inFlight;
  const wrong: number[] = [];
  const failed: { frame: number; reason: string }[] = [];
  const check = async (k: number, done: Promise<{ data: Uint8ClampedArray }>) => {
    const expected = framePixels(k, width, height);
    try {
      const { data } = await done;
      for (let i = 0; i < data.length; i++) {
        const want = i % 4 === 3 ? 255 : 255 - expected[i];
        if (Math.abs(data[i] - want) > TOLERANCE) {
          wrong.push(k);
          return;
        }
      }
    } catch (error) {
      failed.push({ frame: k, reason: error instanceof Error ? error.message : String(error) });
    }
  };
  const running = new Set<Promise<void>>();
  try {
    for (let k = 0; k < frames; k++) {
      if (running.size >= inFlight) await Promise.race(running);
      const frame = new VideoFrame(framePixels(k, width, height), {
        format: 'RGBA',
        codedWidth: width,
        codedHeight: height,
        timestamp: k,
      });
      let done: Promise<{ data: Uint8ClampedArray }>;
      try {
        await engine.setSourceFrame(frame);
        done = engine.renderToImage(chain, { index: k });
      } catch (error) {
        frame.close();
        throw error;
      }
      const checked = check(k, done).finally(() => {
        frame.close();
        running.delete(checked);
      });
      running.add(checked);
    }
    await Promise.all(running);
    return {
      wrong: wrong.sort((a, b) => a - b),
      failed: failed.sort((a, b) => a.frame - b.frame),
      peakRunning: engine.peakRunning,
    };
  } finally {
    engine.destroy();
  }
}
