import { describe, expect, it } from 'vitest';
import { OutageLog } from './outages';

function log() {
  let now = 1000;
  const outages = new OutageLog(() => now, 4);
  return { outages, advance: (ms: number) => (now += ms) };
}

describe('OutageLog', () => {
  it('logs what was lost and what came back, with how long each was out', () => {
    const { outages, advance } = log();
    outages.lost('GPU device', 'Device was destroyed');
    outages.lost('tfjs-webgpu', 'its GPU device was lost');
    advance(300);
    outages.back('GPU device', 'a new device');
    advance(1200);
    outages.back('tfjs-webgpu', 'ran a stage again');
    expect(outages.events).toEqual([
      { at: 1000, part: 'GPU device', event: 'lost', detail: 'Device was destroyed' },
      { at: 1000, part: 'tfjs-webgpu', event: 'lost', detail: 'its GPU device was lost' },
      { at: 1300, part: 'GPU device', event: 'back', detail: 'a new device', outMs: 300 },
      { at: 2500, part: 'tfjs-webgpu', event: 'back', detail: 'ran a stage again', outMs: 1500 },
    ]);
    expect(outages.spans).toEqual([
      { part: 'GPU device', from: 1000, to: 1300 },
      { part: 'tfjs-webgpu', from: 1000, to: 2500 },
    ]);
    expect(outages.out).toEqual([]);
  });

  it('a part lost again before it is back is one outage, from the first loss; back without a loss is nothing', () => {
    const { outages, advance } = log();
    outages.back('Endpoint', 'healthy'); // never lost: nothing to log
    outages.lost('Endpoint', 'connection refused');
    advance(100);
    outages.lost('Endpoint', 'connection refused again');
    expect(outages.isOut('Endpoint')).toBe(true);
    expect(outages.spans).toEqual([{ part: 'Endpoint', from: 1000, to: null }]);
    advance(400);
    outages.back('Endpoint', 'healthy');
    expect(outages.events.map((e) => [e.event, e.outMs])).toEqual([
      ['lost', undefined],
      ['back', 500],
    ]);
  });

  it('keeps only the latest events and spans', () => {
    const { outages, advance } = log();
    for (let i = 0; i < 5; i++) {
      outages.lost('Frames', `loss ${i}`);
      advance(10);
      outages.back('Frames', 'shown again');
    }
    expect(outages.events).toHaveLength(4);
    expect(outages.events.at(-1)).toMatchObject({ event: 'back', outMs: 10 });
    expect(outages.spans).toHaveLength(4);
    expect(outages.version).toBe(15); // every change: 10 events and 5 spans
  });
});
