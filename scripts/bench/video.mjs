// npm run bench:video — video through the app in headless Chromium, on clips it encodes itself
// (a photo panning under a moving bar, H.264 where the browser can encode it) at 720p and 1080p:
// decode-only FPS (in the video worker, and on the page); decode + upload FPS per upload path; decode + a six-effect chain + present
// (every frame, through the app's player); export FPS (the chain, H.264 MP4).
// Writes bench-results/video.json. BENCH_FRAMES sets the clip length (default 60).
import { openApp, report } from './harness.mjs';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 60);
const STAGES = [
  { effect: 'colour-adjust', params: { contrast: 10, saturation: 20 } },
  { effect: 'gaussian-blur', params: { radius: 4 } },
  { effect: 'unsharp-mask', params: {} },
  { effect: 'vignette', params: {} },
  { effect: 'film-grain', params: {} },
  { effect: 'chromatic-aberration', params: {} },
];

const app = await openApp();
try {
  const { page, environment } = app;
  const clips = await page.evaluate((req) => window.__triad.videoBench(req), {
    sizes: [
      [1280, 720],
      [1920, 1080],
    ],
    frames: FRAMES,
    photoUrl: '/__fixtures/washington.jpg',
    stages: STAGES,
  });
  const results = [];
  for (const clip of clips) {
    const row = (metric, fps) =>
      results.push({
        case: `${clip.size} ${clip.codec}, ${clip.frames} frames`,
        metric,
        unit: 'fps',
        median: typeof fps === 'number' ? fps : null,
        note: typeof fps === 'number' ? '' : fps,
      });
    row('decode only (worker)', clip.decodeFps);
    row('decode only (page)', clip.decodePageFps);
    for (const [path, fps] of Object.entries(clip.uploadFps)) row(`decode + upload (${path})`, fps);
    row('decode + six-effect chain + present', clip.chainFps);
    row('export (six-effect chain, H.264)', clip.exportFps);
    // Compatibility mode checks the GPU's memory (docs/ARCHITECTURE.md): the same, unchecked.
    if (clip.unchecked) {
      row('decode + six-effect chain + present, memory unchecked', clip.unchecked.chainFps);
      row('export (six-effect chain, H.264), memory unchecked', clip.unchecked.exportFps);
    }
  }
  report('video', environment, results);
} finally {
  await app.close();
}
