// Where the system Chromium is and how to launch it with WebGPU on machines without a GPU.
// Shared by playwright.config.ts and the benchmark scripts.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** TRIAD_CHROMIUM, else the first Chromium-like browser on PATH; null when there is none. */
export function findChromium() {
  const fromEnv = process.env.TRIAD_CHROMIUM;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  for (const name of CANDIDATES) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // not on PATH
    }
  }
  return null;
}

/**
 * Which WebGPU adapter tests and benchmarks use:
 * - 'lavapipe' (default): Mesa's Vulkan rasterizer through ANGLE/OpenGL ES in WebGPU
 *   compatibility mode, several times faster than SwiftShader (needs mesa-vulkan-drivers);
 * - 'swiftshader': Dawn's SwiftShader Vulkan adapter, core WebGPU (a fallback adapter);
 * - 'hardware': whatever GPU the machine has.
 * The Vulkan flags also give the compositor a Vulkan device, without which a headless Chromium
 * cannot present a WebGPU canvas (its device is lost at the first present).
 */
export function adapterKind() {
  const kind = process.env.TRIAD_ADAPTER ?? 'lavapipe';
  if (!['lavapipe', 'swiftshader', 'hardware'].includes(kind)) {
    throw new Error(`TRIAD_ADAPTER must be lavapipe, swiftshader or hardware, not "${kind}"`);
  }
  return kind;
}

export function chromiumArgs(kind = adapterKind()) {
  const common = [
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--ignore-gpu-blocklist',
    '--enable-gpu',
    '--enable-features=Vulkan',
    // The webcam tests use Chromium's fake camera, allowed without a prompt.
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    // Video with sound plays without a click in tests (the page asks for no gesture otherwise).
    '--autoplay-policy=no-user-gesture-required',
    // One browser runs many tests: after its GPU process crashed (Dawn's GL backend on lavapipe
    // does, under ML kernels), Chromium blocks WebGPU for the origin or, past a few crashes, for
    // the browser, and the next test's page found "No WebGPU adapter" for good (CI, overlap and
    // layout specs). Each page gets the GPU process back instead; the app's own handling of a
    // missing adapter is tested apart (e2e/errors.spec.ts).
    '--disable-domain-blocking-for-3d-apis',
    '--disable-gpu-process-crash-limit',
  ];
  if (kind === 'lavapipe') {
    return [
      ...common,
      '--use-angle=vulkan',
      '--use-webgpu-adapter=opengles',
      '--use-vulkan=native',
    ];
  }
  if (kind === 'swiftshader') {
    return [
      ...common,
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--use-vulkan=swiftshader',
    ];
  }
  return [...common, '--use-angle=vulkan'];
}

/** The query string the app reads to pick its adapter options. */
export function appQuery(kind = adapterKind()) {
  return kind === 'lavapipe' ? '?gpu=compat' : '';
}
