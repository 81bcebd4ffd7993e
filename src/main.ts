import { FRAME_UPLOAD_PATHS } from './gpu/upload-frame';
import { mount } from 'svelte';
import App from './app/App.svelte';
import './app/global.css';
import { AppState, WORKERS_KEY } from './app/state/app.svelte';
import { CompareState } from './app/state/compare.svelte';
import { installTestApi } from '#test-api';
import { defaultWorkerCount } from './cpu';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * CPU workers: ?workers=N, else the user's saved choice, else one per core less one for the page.
 */
function workerCount(): number {
  for (const asked of [params.get('workers'), storage()?.getItem(WORKERS_KEY)]) {
    const n = Number(asked);
    if (asked && Number.isInteger(n) && n >= 1 && n <= 32) return n;
  }
  return defaultWorkerCount(navigator.hardwareConcurrency);
}

const params = new URLSearchParams(location.search);
const app = new AppState({
  // ?gpu=compat asks for WebGPU compatibility mode (lavapipe in CI; see README).
  gpu: { compatibility: params.get('gpu') === 'compat' },
  storage: storage(),
  workers: workerCount(),
  // ?upload=importExternalTexture|copyExternalImageToTexture|copyTo tries that video upload path
  // first (debugging; the viewer's video bar says which path ran and why others failed).
  uploadPath: FRAME_UPLOAD_PATHS.find((p) => p === params.get('upload')) ?? null,
});
// ?decoder=element decodes videos with a <video> element, the fallback for codecs WebCodecs lacks;
// ?decoder=page runs WebCodecs on the page instead of in the video worker.
const decoder = params.get('decoder');
if (decoder === 'element' || decoder === 'page') app.video.decoderPreference = decoder;
// ?perf=off / ?perf=on: the performance panel closed or open (else as it was left).
const perf = params.get('perf');
if (perf === 'off' || perf === 'on') app.perf.visible = perf === 'on';
app.history.restore(location.hash);
// Compare mode drives the app (it is not part of it): built here, beside it.
const compare = new CompareState(app);
mount(App, { target: document.getElementById('app')!, props: { app, compare } });
// The test build (`vite build --mode testing`) installs the test API (src/testing/); in production
// this is a no-op.
installTestApi(app, compare);
void app.start();
