import { describe, expect, it } from 'vitest';
import { FrameMeter } from './frame-meter';

type Spans = Record<string, [number, number][]>;
const frame = (
  finishedAt: number,
  ms = 10,
  spans: Spans = { gpu: [[finishedAt - ms, finishedAt]] },
) => ({
  finishedAt,
  ms,
  spans,
});

describe('FrameMeter', () => {
  it('is frames finished over the time they took', () => {
    const meter = new FrameMeter();
    expect(meter.fps).toBe(0);
    meter.record(frame(1000));
    expect(meter.fps).toBe(0); // one frame has no interval yet
    for (let i = 1; i <= 10; i++) meter.record(frame(1000 + i * 40));
    expect(meter.fps).toBeCloseTo(25, 10);
    expect(meter.frames).toBe(11);
  });

  it('keeps only the last `window` frames', () => {
    const meter = new FrameMeter(5);
    for (let i = 0; i < 10; i++) meter.record(frame(i * 100)); // 10 fps
    for (let i = 0; i < 5; i++) meter.record(frame(1000 + i * 20)); // then 50 fps
    expect(meter.samples).toHaveLength(5);
    expect(meter.fps).toBeCloseTo(50, 10);
    expect(meter.frames).toBe(15);
  });

  it('averages frame time, and shares each target’s busy time over the span', () => {
    const meter = new FrameMeter();
    meter.record(frame(0, 30, { gpu: [[-30, 0]] }));
    meter.record(frame(50, 40, { gpu: [[10, 20]], cpu: [[20, 50]] }));
    meter.record(frame(100, 20, { gpu: [[80, 100]] }));
    expect(meter.frameMs).toBeCloseTo(30, 10);
    const u = meter.utilization();
    expect(u.gpu).toBeCloseTo(0.3, 10); // 10 + 20 ms of the 100 between the first and last finish
    expect(u.cpu).toBeCloseTo(0.3, 10);
  });

  it('counts a target serving two frames at once as busy once: no share passes 100%', () => {
    const meter = new FrameMeter();
    // Two frames in flight, each on the GPU for its whole 80 ms, 40 ms apart: the GPU never
    // rests. Summing their times would read 200%.
    for (let i = 0; i < 10; i++) meter.record(frame(100 + i * 40, 80));
    expect(meter.utilization().gpu).toBeCloseTo(1, 10);
    // Work before the window's first finish is not the window's.
    meter.reset();
    meter.record(frame(100, 10, { cpu: [[0, 100]] }));
    meter.record(frame(200, 10, { cpu: [[150, 200]] }));
    expect(meter.utilization().cpu).toBeCloseTo(0.5, 10);
  });

  it('starts over on reset', () => {
    const meter = new FrameMeter();
    meter.record(frame(0));
    meter.record(frame(10));
    meter.reset();
    expect([meter.fps, meter.frames, meter.samples.length, meter.frameMs]).toEqual([0, 0, 0, 0]);
  });
});
