// The Dawn module first: it installs the WebGPU globals the engine's modules read on import.
import '../gpu/dawn-node';
import { describe, expect, it } from 'vitest';
import { pinnedPlacer } from '../engine';
import { Placements } from './placement';

describe('Placements', () => {
  it('keeps one scheduler per strategy, told the frames in flight as they change', () => {
    let inFlight = 2;
    const placements = new Placements(
      () => 0,
      () => ['ort-wasm'],
      () => inFlight,
      false,
    );
    const auto = placements.placer('auto');
    expect(placements.placer('auto')).toBe(auto);
    expect(placements.forMode('auto')).toBe(auto);
    expect(placements.forMode('manual')).toBe(pinnedPlacer);
    expect(auto.scheduler.options.inFlight).toBe(2);
    inFlight = 3;
    placements.inFlightChanged();
    expect(auto.scheduler.options.inFlight).toBe(3);
  });

  it('starts the schedulers again when the endpoint moves on or off this machine', () => {
    const placements = new Placements(
      () => 0,
      () => ['ort-wasm'],
      () => 2,
      false,
    );
    const before = placements.placer('auto');
    expect(placements.setEndpointLocal(false)).toBe(false);
    expect(placements.placer('auto')).toBe(before);
    expect(placements.setEndpointLocal(true)).toBe(true);
    expect(placements.placer('auto')).not.toBe(before);
  });

  it("exports at the app's own setting under manual placement, within the memory budget", () => {
    const placements = new Placements(
      () => 0,
      () => ['ort-wasm'],
      () => 2,
      false,
    );
    const size = { width: 640, height: 360 };
    expect(placements.exportInFlight('manual', [], size, null, 1)).toEqual({
      inFlight: 2,
      advice: null,
    });
    // A frame far beyond the budget still gets one frame in flight, never none.
    const huge = placements.exportInFlight('manual', [], { width: 16384, height: 16384 }, null, 4);
    expect(huge.inFlight).toBeGreaterThanOrEqual(1);
    expect(huge.inFlight).toBeLessThanOrEqual(2);
  });
});
