import { afterEach, describe, expect, it } from 'vitest';
import {
  onRuntimeRestart,
  runtimeLoaded,
  runtimeRestarted,
  type RuntimeRestartEvent,
} from './restarts';

describe('runtime restarts', () => {
  const seen: RuntimeRestartEvent[] = [];
  const stop = onRuntimeRestart((e) => seen.push(e));
  afterEach(() => {
    seen.length = 0;
  });

  it('a restart is lost, and the next model loaded in that runtime brings it back once', () => {
    runtimeRestarted('ort-webgpu', 'Device was destroyed.');
    runtimeLoaded('ort-webgpu');
    runtimeLoaded('ort-webgpu'); // a second model: nothing was out any more
    expect(seen.map((e) => [e.target, e.event])).toEqual([
      ['ort-webgpu', 'lost'],
      ['ort-webgpu', 'back'],
    ]);
    expect(seen[0].detail).toContain('Device was destroyed.');
  });

  it('a load in a runtime that was never restarted says nothing', () => {
    runtimeLoaded('tfjs-webgpu');
    expect(seen).toEqual([]);
  });

  it('a load of another target does not bring a restarted one back', () => {
    runtimeRestarted('tfjs-webgpu', 'lost');
    runtimeLoaded('ort-wasm');
    expect(seen.map((e) => e.event)).toEqual(['lost']);
    runtimeLoaded('tfjs-webgpu');
    expect(seen.map((e) => e.event)).toEqual(['lost', 'back']);
  });

  it('a listener that throws does not stop the others, and unsubscribing stops the calls', () => {
    const other: string[] = [];
    const stopThrowing = onRuntimeRestart(() => {
      throw new Error('listener bug');
    });
    const stopOther = onRuntimeRestart((e) => other.push(e.event));
    const error = console.error;
    console.error = () => {};
    try {
      runtimeRestarted('ort-webgpu', 'lost');
    } finally {
      console.error = error;
    }
    expect(other).toEqual(['lost']);
    stopThrowing();
    stopOther();
    stop();
    runtimeLoaded('ort-webgpu');
    expect(other).toEqual(['lost']);
    expect(seen.map((e) => e.event)).toEqual(['lost']);
  });
});
